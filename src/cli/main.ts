#!/usr/bin/env node
/**
 * The `sessiondata` command. Each sub-command lives in `commands/<name>.ts` and registers itself
 * on the program. Errors end as one line on stderr and a non-zero exit, never a stack trace
 * (set `SESSIONDATA_DEBUG=1` to see one).
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";

/** The package's version, read from package.json (two levels up from src/cli and dist/cli). */
export function packageVersion(): string {
  const json = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(json) as { version: string }).version;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = new Command("sessiondata")
    .description(
      "The market data of a trading session: store, replay, repair, analyse.\n" +
        "Symbols are case-insensitive on input and stored upper case (aapl is AAPL).",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (help, version, usage errors).
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sessiondata: ${message}\n`);
    if (process.env.SESSIONDATA_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (invokedDirectly || process.env.SESSIONDATA_CLI_MAIN === "1") {
  main().then((code) => {
    process.exitCode = code;
  });
}
