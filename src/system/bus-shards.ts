/**
 * Shards on other hosts (`backtest --shards N --bus nats://…`): the parent sends each
 * {@link ShardJob} as a core NATS message to a queue group of `sessiondata shard-worker`
 * processes; one worker takes it, runs it against its own copy of the DuckDB file and sends the
 * {@link ShardResult} back to the parent's inbox, gzip-compressed and cut into chunks below the
 * server's payload limit.
 */

import type { NatsConnection } from "@nats-io/transport-node";
import { createInbox } from "@nats-io/transport-node";
import { gunzipSync, gzipSync } from "fflate";
import { connectBus } from "../bus/bus-config.js";
import { InvalidArgumentError } from "../domain/errors.js";
import { runShardJob, type ShardJob, type ShardResult } from "./shard-job.js";
import { ShardError } from "./sharded-backtest.js";

/** The subject shard jobs are sent on (workers listen in the queue group `sessiondata-shards`). */
export const DEFAULT_SHARD_SUBJECT = "sessiondata.shards.jobs";
const QUEUE = "sessiondata-shards";
const CHUNK = 512 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Chunk {
  readonly i: number;
  readonly n: number;
  readonly error?: string;
}

/** Options of {@link serveShardJobs}. */
export interface ShardWorkerOptions {
  readonly servers: string | readonly string[];
  /** The DuckDB file on this host (replaces the job's path); default: the job's own path. */
  readonly dbPath?: string;
  /** Subject to listen on (default {@link DEFAULT_SHARD_SUBJECT}). */
  readonly subject?: string;
  /** Called when a job starts and ends (for the command's log lines). */
  readonly log?: (line: string) => void;
}

/**
 * Serves shard jobs from the bus until the returned `stop()`: one job at a time (a worker is
 * one process, one core); run several workers for several cores.
 *
 * @example
 * ```ts
 * const worker = await serveShardJobs({ servers: "nats://primary:4222", dbPath: "/data/sessiondata.duckdb" });
 * // … later
 * await worker.stop();
 * ```
 */
export async function serveShardJobs(
  options: ShardWorkerOptions,
): Promise<{ stop(): Promise<void> }> {
  const servers = typeof options.servers === "string" ? [options.servers] : [...options.servers];
  const nc = await connectBus(servers, "sessiondata-shard-worker");
  const subject = options.subject ?? DEFAULT_SHARD_SUBJECT;
  let busy = Promise.resolve();
  // Jobs run one after another (a worker is one process, one core); the queue group spreads
  // jobs over workers, so run at least as many workers as shards. Always subscribed: a core
  // NATS message nobody listens for is gone.
  nc.subscribe(subject, {
    queue: QUEUE,
    callback: (_err, msg) => {
      const reply = msg.reply;
      if (reply === undefined) return;
      busy = busy.then(async () => {
        const job = JSON.parse(decoder.decode(msg.data)) as ShardJob;
        const local = options.dbPath === undefined ? job : { ...job, dbPath: options.dbPath };
        options.log?.(
          `shard job: ${job.symbols.length} symbols, ${job.backtest.from}..${job.backtest.to}`,
        );
        try {
          const result = await runShardJob(local);
          sendChunks(nc, reply, gzipSync(encoder.encode(JSON.stringify(result))));
        } catch (error) {
          const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          nc.publish(reply, encoder.encode(`${JSON.stringify({ i: 0, n: 0, error: text })}\n`));
        }
        await nc.flush();
        options.log?.("shard job done");
      });
    },
  });
  nc.subscribe(`${subject}.ping`, { queue: QUEUE, callback: (_err, msg) => void msg.respond() });
  await nc.flush();
  return {
    async stop() {
      await busy.catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}

function sendChunks(nc: NatsConnection, reply: string, data: Uint8Array): void {
  const n = Math.max(1, Math.ceil(data.length / CHUNK));
  for (let i = 0; i < n; i++) {
    const header = encoder.encode(`${JSON.stringify({ i, n } satisfies Chunk)}\n`);
    const body = data.subarray(i * CHUNK, (i + 1) * CHUNK);
    const out = new Uint8Array(header.length + body.length);
    out.set(header);
    out.set(body, header.length);
    nc.publish(reply, out);
  }
}

/**
 * A `runShard` for {@link runShardedBacktest} that sends each job over the bus. Resolves with
 * the connection's `runShard` and `close()`; a job nobody takes within `acceptMs` fails with a
 * {@link ShardError} saying to start `sessiondata shard-worker --bus URL`.
 */
export async function busShardRunner(
  servers: string,
  options: { subject?: string; timeoutMs?: number } = {},
): Promise<{
  runShard: (job: ShardJob, index: number) => Promise<ShardResult>;
  close(): Promise<void>;
}> {
  if (typeof servers !== "string" || servers === "") {
    throw new InvalidArgumentError(`--bus needs a NATS URL, got ${JSON.stringify(servers)}`);
  }
  const nc = await connectBus([servers], "sessiondata-shards");
  const subject = options.subject ?? DEFAULT_SHARD_SUBJECT;
  const timeoutMs = options.timeoutMs ?? 60 * 60 * 1000;
  return {
    runShard(job, index) {
      const inbox = createInbox();
      return new Promise<ShardResult>((resolve, reject) => {
        const parts: Uint8Array[] = [];
        let got = 0;
        const timer = setTimeout(() => {
          sub.unsubscribe();
          reject(
            new ShardError(index, `no answer on ${subject} at ${servers} within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const sub = nc.subscribe(inbox, {
          callback: (_err, msg) => {
            const data = msg.data;
            const nl = data.indexOf(10);
            const head = JSON.parse(
              decoder.decode(data.subarray(0, nl < 0 ? data.length : nl)),
            ) as Chunk;
            if (head.error !== undefined) {
              clearTimeout(timer);
              sub.unsubscribe();
              reject(new ShardError(index, head.error));
              return;
            }
            parts[head.i] = data.subarray(nl + 1);
            if (++got < head.n) return;
            clearTimeout(timer);
            sub.unsubscribe();
            const total = parts.reduce((s, p) => s + p.length, 0);
            const all = new Uint8Array(total);
            let at = 0;
            for (const p of parts) {
              all.set(p, at);
              at += p.length;
            }
            resolve(JSON.parse(decoder.decode(gunzipSync(all))) as ShardResult);
          },
        });
        nc.flush()
          .then(async () => {
            // A request first, to learn whether any worker listens (no responders otherwise).
            await nc
              .request(`${subject}.ping`, undefined, { timeout: 2_000 })
              .catch((error: Error) => {
                if (/no responders/i.test(error.message) || error.name === "NoRespondersError") {
                  throw new ShardError(
                    index,
                    `no shard worker listens on ${subject} at ${servers}: start \`sessiondata shard-worker --bus ${servers} --db PATH\` on a host with the data`,
                  );
                }
              });
            nc.publish(subject, encoder.encode(JSON.stringify(job)), { reply: inbox });
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            sub.unsubscribe();
            reject(error instanceof Error ? error : new ShardError(index, String(error)));
          });
      });
    },
    async close() {
      await nc.drain().catch(() => undefined);
    },
  };
}
