/**
 * A measurement run in a fresh Node process (so its memory and JIT state are its own): the child
 * prints its result as JSON on its last stdout line; stderr passes through for its progress.
 */
import { spawn } from "node:child_process";

/** Runs `node ...args` with `env` added and parses the last stdout line as JSON; `label` names it in errors. */
export function runJsonChild<T>(
  args: readonly string[],
  env: Record<string, string>,
  label: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.on("error", reject);
    proc.on("exit", (code) => {
      if (code !== 0) reject(new Error(`${label} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
    });
  });
}
