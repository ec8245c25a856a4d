import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar } from "./progress.js";

/** A terminal-like stream that keeps what is drawn (cli-progress draws only on a TTY). */
function terminal(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & {
    isTTY: boolean;
    columns: number;
    cursorTo: () => boolean;
    clearLine: () => boolean;
    moveCursor: () => boolean;
  };
  stream.isTTY = true;
  stream.columns = 120;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  stream.moveCursor = () => true;
  return { stream, text: () => text };
}

describe("progressBar", () => {
  it("draws done/total of the work with its unit, from the first update on", () => {
    const t = terminal();
    const bar = progressBar("bytes", 0, t.stream);
    bar.update(250, 1000, "a.csv");
    expect(t.text()).toMatch(/a\.csv \|.*\| 25% \| 250\/1000 bytes/);
    bar.update(1000, 1000, "a.csv");
    bar.stop();
    expect(t.text(), "stop draws the final state").toMatch(/100% \| 1000\/1000 bytes/);
  });

  it("stays quiet for work below its threshold", () => {
    const t = terminal();
    const bar = progressBar("symbols", 50, t.stream);
    bar.update(5, 10, "generate");
    bar.stop();
    expect(t.text()).toBe("");
  });

  it("follows a total that grows (files found while importing) and restarts after stop", () => {
    const t = terminal();
    const bar = progressBar("rows", 0, t.stream);
    bar.update(10, 100);
    bar.update(150, 200);
    bar.update(200, 200);
    bar.stop();
    expect(t.text()).toMatch(/100% \| 200\/200 rows/);
    bar.update(1, 4);
    expect(t.text(), "a new bar after stop").toMatch(/25% \| 1\/4 rows/);
    bar.stop();
  });
});
