import { NatsBarPublisher } from "../../bus/nats-bar-publisher.js";
import type { SessionData } from "../../store/session-data.js";

/**
 * The stream and subject prefix from `SESSIONDATA_NATS_STREAM` / `SESSIONDATA_NATS_SUBJECT_PREFIX`
 * (defaults: `SESSIONDATA_BARS`, `bars`), so several publishers can share one server.
 */
export function busEnv(env: NodeJS.ProcessEnv = process.env): {
  stream?: string;
  subjectPrefix?: string;
} {
  return {
    ...(env.SESSIONDATA_NATS_STREAM ? { stream: env.SESSIONDATA_NATS_STREAM } : {}),
    ...(env.SESSIONDATA_NATS_SUBJECT_PREFIX
      ? { subjectPrefix: env.SESSIONDATA_NATS_SUBJECT_PREFIX }
      : {}),
  };
}

/** What `--publish` needs of a replay: its `slice` events, to send each minute's barrier at once. */
export interface SlicedReplay {
  on(event: "slice", listener: (slice: { readonly time: number }) => void): () => void;
}

/**
 * `--publish NATS_URL` (backtest, live): runs `work` with every bar written to `sessionData`
 * published to the bar stream, a barrier per slice, and waits until JetStream has them all. A
 * lost bar fails the command (`flush()` rejects), never silently. Without a URL, just `work`.
 */
export async function withPublisher<T>(
  url: string | undefined,
  sessionData: SessionData,
  replay: SlicedReplay | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (url === undefined) return work();
  const publisher = new NatsBarPublisher({ servers: url, sessionData, ...busEnv() });
  publisher.on("error", (e) => process.stderr.write(`sessiondata: --publish: ${e.message}\n`));
  await publisher.start();
  const off = replay?.on("slice", ({ time }) => publisher.endMinute(time));
  try {
    const result = await work();
    publisher.endMinute();
    await publisher.flush();
    return result;
  } finally {
    off?.();
    await publisher.stop();
  }
}

/**
 * `live --publish NATS_URL`: publishes every bar the live session writes (a minute's barrier
 * goes out with the next minute's first bar); resolves with the function that ends the last
 * minute, waits for JetStream's acks and closes. A loss is reported on stderr, never silently.
 */
export async function startPublisher(
  url: string,
  sessionData: SessionData,
): Promise<() => Promise<void>> {
  const publisher = new NatsBarPublisher({ servers: url, sessionData, ...busEnv() });
  publisher.on("error", (e) => process.stderr.write(`sessiondata: --publish: ${e.message}\n`));
  await publisher.start();
  return async () => {
    publisher.endMinute();
    await publisher.flush().catch((e: Error) => {
      process.stderr.write(`sessiondata: --publish: ${e.message}\n`);
    });
    await publisher.stop();
  };
}
