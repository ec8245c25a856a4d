import cliProgress from "cli-progress";

/** A progress bar on stderr; cli-progress draws nothing when stderr is not a terminal. */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/**
 * A bar that appears only for work of at least `threshold` units (bytes, rows, symbols), so
 * small jobs stay quiet. It shows `done` of `total`: the work done (bytes read, symbols written),
 * never a span of time. `stream` is stderr but in tests.
 */
export function progressBar(
  unit: string,
  threshold = 0,
  stream: NodeJS.WritableStream = process.stderr,
): Progress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total, label = "") {
      if (bar === undefined) {
        if (total < threshold) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `{label} |{bar}| {percentage}% | {value}/{total} ${unit}`,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done, { label });
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
