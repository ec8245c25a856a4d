/**
 * Every fenced ```ts block of README.md runs as a test, so no example refers to an undefined
 * variable, passes an argument the API refuses or depends on the day it is run.
 *
 * How a block runs:
 * - alone, in its own child process (`node --import tsx`), as an ES module (top-level `await`
 *   works), with `from "sessiondata"` pointing at this checkout's `src/index.ts`. A block cannot
 *   see another block's variables: write each one so a reader can paste it and run it.
 * - in a fresh temporary directory as its working directory, holding these files (so relative
 *   paths in examples work): `data/AAPL.csv` and `data/MSFT.csv` (regular-hours minute bars of
 *   2024-01-02 to 2024-01-05, ISO times with an offset), and `lean/equity/usa/minute/aapl/`
 *   (LEAN minute trade zips of the same days). `sessiondata.duckdb` is created there if a block
 *   opens the default path; `SESSIONDATA_DB` is unset. No network: a block must not reach the
 *   internet.
 * - it passes when the process exits with 0 within 60 s; anything on stderr is shown on failure.
 *
 * A block that cannot run here (it needs a live exchange, credentials, a browser) starts with
 * `// no-run: <why>` on its first line; it is then not run, but still parsed and its imports from
 * "sessiondata" checked against the package's exports, under a name that gives the reason. A
 * `// no-run` without a reason fails, so none is skipped silently. A block that is a shape or a
 * signature rather than code is better written as ```text or with `// no-run: a signature`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { zipSync } from "fflate";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "sessiondata-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One ```ts block: where it starts (1-based line of its first code line) and its text. */
interface Block {
  readonly line: number;
  readonly heading: string;
  readonly code: string;
}

/** The README's ```ts blocks, in order, each with the nearest heading above it. */
function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (/^#{1,6} /.test(text)) heading = text.replace(/^#+ /, "");
    const fence = /^(\s*)(```+|~~~+)\s*(\S*)/.exec(text);
    if (fence === null) continue;
    const marker = fence[2]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker)) end++;
    if (fence[3] === "ts" || fence[3] === "typescript") {
      blocks.push({ line: start + 1, heading, code: lines.slice(start, end).join("\n") });
    }
    i = end;
  }
  return blocks;
}

const MINUTE = 60_000;
const DAYS = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"];

/** `data/<SYMBOL>.csv`: 390 regular-hours bars a day, New York times with their -05:00 offset. */
function csvOf(base: number): string {
  const rows = ["time,open,high,low,close,volume"];
  for (const [d, day] of DAYS.entries()) {
    const open = Date.parse(`${day}T14:30:00Z`);
    for (let m = 0; m < 390; m++) {
      const price = base + d + (m % 30) / 100;
      const local = new Date(open + m * MINUTE - 5 * 60 * MINUTE).toISOString().slice(0, 19);
      rows.push(
        `${local}-05:00,${price},${(price + 0.05).toFixed(2)},${(price - 0.05).toFixed(2)},${price},${1000 + m}`,
      );
    }
  }
  return `${rows.join("\n")}\n`;
}

/** `lean/equity/usa/minute/aapl/<date>_trade.zip`: LEAN's minute trade rows (prices × 10,000). */
function writeLean(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const [d, day] of DAYS.entries()) {
    const rows: string[] = [];
    for (let m = 0; m < 390; m++) {
      const p = (180 + d + (m % 30) / 100) * 10_000;
      rows.push(`${(570 + m) * MINUTE},${p},${p + 500},${p - 500},${p},${1000 + m}`);
    }
    const date = day.replaceAll("-", "");
    const zip = zipSync({
      [`${date}_aapl_minute_trade.csv`]: new TextEncoder().encode(`${rows.join("\r\n")}\r\n`),
    });
    writeFileSync(join(folder, `${date}_trade.zip`), zip);
  }
}

const fixtures = join(dir, "fixtures");
mkdirSync(join(fixtures, "data"), { recursive: true });
writeFileSync(join(fixtures, "data", "AAPL.csv"), csvOf(185));
writeFileSync(join(fixtures, "data", "MSFT.csv"), csvOf(370));
writeLean(join(fixtures, "lean", "equity", "usa", "minute", "aapl"));

const entry = pathToFileURL(join(root, "src", "index.ts")).href;
/** tsx's loader by path: the block's directory has no node_modules to find "tsx" in. */
const tsx = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const blocks = tsBlocks(readFileSync(join(root, "README.md"), "utf8"));

/** The value names a block imports from "sessiondata" (`type` imports left out). */
function importedNames(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']sessiondata["']/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)[0]!
        .trim();
      if (name !== "" && !name.startsWith("type ")) names.push(name);
    }
  }
  return names;
}

function skipReason(block: Block): string | undefined {
  const first = block.code.split("\n")[0]!.trim();
  const match = /^\/\/\s*no-run\b:?\s*(.*)$/.exec(first);
  return match === null ? undefined : match[1]!.trim();
}

describe("README.md's ts examples run", () => {
  it("finds the README's examples", () => {
    expect(blocks.length, "README.md has ```ts blocks to run").toBeGreaterThan(3);
  });

  for (const block of blocks) {
    const name = `README.md:${block.line} (${block.heading})`;
    const reason = skipReason(block);
    if (reason !== undefined && reason !== "") {
      // Not run (the reason says why), but still checked: it parses as TypeScript and every name
      // it imports from "sessiondata" is an export, so a renamed API breaks it here too.
      it(`${name}: not run (${reason}); parses, imports exist`, async () => {
        const out = ts.transpileModule(block.code, {
          reportDiagnostics: true,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
        });
        const problems = (out.diagnostics ?? []).map((d) =>
          ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        );
        expect(problems, `${name} parses`).toEqual([]);
        const exported = new Set(Object.keys(await import(entry)));
        const missing = importedNames(block.code).filter((n) => !exported.has(n));
        expect(missing, `${name} imports only what "sessiondata" exports`).toEqual([]);
      });
      continue;
    }
    it(name, () => {
      expect(reason, `${name}: "// no-run" needs a reason after a colon`).toBeUndefined();
      const work = join(dir, `block-${block.line}`);
      cpSync(fixtures, work, { recursive: true });
      const code = block.code.replace(
        /from\s+["']sessiondata["']/g,
        `from ${JSON.stringify(entry)}`,
      );
      const file = join(work, "example.mts");
      writeFileSync(file, `${code}\n`);
      const env = { ...process.env };
      delete env.SESSIONDATA_DB;
      const r = spawnSync(process.execPath, ["--import", tsx, file], {
        cwd: work,
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(
        r.status,
        `${name} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${r.stderr}\n--- the block ---\n${block.code}`,
      ).toBe(0);
    }, 90_000);
  }
});

describe("tsBlocks", () => {
  it("finds ts blocks with their line and heading, and no others", () => {
    const md = [
      "# Top",
      "```sh",
      "npm start",
      "```",
      "## Store",
      "```ts",
      "const a = 1;",
      "```",
      "````md",
      "```ts",
      "not a block: inside a four-backtick fence",
      "```",
      "````",
      "```typescript",
      "const b = 2;",
      "```",
    ].join("\n");
    expect(tsBlocks(md)).toEqual([
      { line: 7, heading: "Store", code: "const a = 1;" },
      { line: 15, heading: "Store", code: "const b = 2;" },
    ]);
  });
});
