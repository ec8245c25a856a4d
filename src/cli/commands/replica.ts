import type { Command } from "commander";
import { AnalysisEngine, DEFAULT_INDICATORS } from "../../analysis/analysis-engine.js";
import { DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from "../../bus/bus-config.js";
import { NatsSessionReplica } from "../../bus/nats-session-replica.js";
import { InvalidArgumentError } from "../../domain/errors.js";
import { startServer } from "../../server/public.js";
import { SessionData } from "../../store/session-data.js";
import { CALENDAR_NAMES, calendarByName, listOption, numberOption } from "../options.js";
import { busEnv } from "./publish-option.js";

/** The options of `sessiondata replica`, as commander parses them. */
export interface ReplicaCommandOptions {
  readonly nats?: string;
  readonly durable?: string;
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly calendar?: string;
  readonly indicators?: string;
  readonly serve?: boolean;
  readonly port?: string;
  readonly host?: string;
  readonly token?: string;
  readonly duration?: string;
  readonly json?: boolean;
}

/** What `replica --json` prints when it ends. */
export interface ReplicaSummary {
  readonly nats: string;
  readonly stream: string;
  readonly durable: string;
  readonly applied: number;
  readonly barriers: number;
  readonly duplicates: number;
  readonly lastSequence: number;
  readonly symbols: number;
  readonly session: string | null;
}

/**
 * `sessiondata replica --nats URL`: a SessionData fed from the bar stream (see `src/bus`),
 * with the analysis engine, and with `--serve` the dashboard and API over it. Runs until
 * SIGINT/SIGTERM or `--duration` seconds; `--json` prints a {@link ReplicaSummary} at the end.
 */
export async function runReplica(
  options: ReplicaCommandOptions,
  /** Called once the replica (and the server, with `--serve`) runs; tests read it. */
  onReady?: (ready: {
    readonly url: string | undefined;
    readonly replica: NatsSessionReplica;
  }) => void,
): Promise<ReplicaSummary> {
  const url = options.nats ?? process.env.SESSIONDATA_NATS_URL;
  if (url === undefined || url === "") {
    throw new InvalidArgumentError("--nats URL is required (or set SESSIONDATA_NATS_URL)");
  }
  const duration = numberOption("--duration", options.duration);
  if (duration !== undefined && !(duration > 0)) {
    throw new InvalidArgumentError(
      `--duration must be a positive number of seconds, got ${duration}`,
    );
  }
  const calendar = calendarByName(options.calendar);
  const indicators = listOption(options.indicators, "--indicators") ?? [...DEFAULT_INDICATORS];
  const sessionData = new SessionData({ calendar });
  const analysis = new AnalysisEngine({ sessionData, indicators });
  const durable = options.durable ?? `replica-${process.pid}`;
  const env = busEnv();
  const stream = options.stream ?? env.stream ?? DEFAULT_STREAM;
  const replica = new NatsSessionReplica({
    servers: url,
    sessionData,
    durable,
    stream,
    subjectPrefix: options.subjectPrefix ?? env.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
  });
  replica.on("error", (e) => process.stderr.write(`sessiondata replica: ${e.message}\n`));
  await replica.start();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    process.stderr.write(`sessiondata: replica of ${stream} at ${url} (durable ${durable})\n`);
    if (options.serve) {
      const envToken = process.env.SESSIONDATA_TOKEN;
      const token = options.token ?? (envToken ? envToken : undefined);
      server = await startServer({
        sessionData,
        calendar,
        analysis,
        port: options.port === undefined ? 8080 : Number(options.port),
        host: options.host ?? "127.0.0.1",
        ...(token === undefined ? {} : { token }),
      });
      process.stderr.write(`  dashboard ${server.url}\n`);
    }
    onReady?.({ url: server?.url, replica });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        clearTimeout(timer);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      const timer = duration === undefined ? undefined : setTimeout(stop, duration * 1000);
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  } finally {
    await server?.close();
    await replica.stop();
  }
  const summary: ReplicaSummary = {
    nats: url,
    stream,
    durable,
    applied: replica.applied,
    barriers: replica.barriers,
    duplicates: replica.duplicates,
    lastSequence: replica.lastSequence,
    symbols: sessionData.symbols().length,
    session: sessionData.currentSession ?? null,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stderr.write(
      `sessiondata: replica applied ${summary.applied} bars of ${summary.symbols} symbols, ${summary.barriers} barriers\n`,
    );
  }
  return summary;
}

/** Registers `sessiondata replica`. */
export function registerReplica(program: Command): void {
  program
    .command("replica")
    .description(
      "keep a session store in step with a publisher over NATS JetStream (optionally serving the dashboard over it)",
    )
    .option("--nats <url>", "NATS server URL (or $SESSIONDATA_NATS_URL)")
    .option("--durable <name>", "durable consumer name (default: replica-<pid>)")
    .option(
      "--stream <name>",
      `JetStream stream (default: $SESSIONDATA_NATS_STREAM or ${DEFAULT_STREAM})`,
    )
    .option(
      "--subject-prefix <prefix>",
      `subject prefix (default: $SESSIONDATA_NATS_SUBJECT_PREFIX or ${DEFAULT_SUBJECT_PREFIX})`,
    )
    .option(
      "--calendar <name>",
      `exchange calendar: ${Object.keys(CALENDAR_NAMES).join(", ")} (the publisher's)`,
      "xnys",
    )
    .option("--indicators <list>", "indicator specs", DEFAULT_INDICATORS.join(","))
    .option("--serve", "serve the dashboard, API and WebSocket over the replica")
    .option("--port <port>", "with --serve: TCP port (0: any free port)", "8080")
    .option("--host <address>", "with --serve: address; anything but loopback requires --token")
    .option("--token <token>", "with --serve: bearer token (or $SESSIONDATA_TOKEN)")
    .option("--duration <seconds>", "stop after this many seconds (default: until Ctrl-C)")
    .option("--json", "print a summary as JSON on stdout at the end")
    .action(async (options: ReplicaCommandOptions) => {
      await runReplica(options);
    });
}
