/**
 * A child process's own peak resident memory. `process.resourceUsage().maxRSS` is not it on
 * Linux: the kernel carries the parent's high-water mark over `fork` + `exec`, so a child of a
 * bench that already holds 500 MB reports at least 500 MB. `/proc/self/status`'s `VmHWM` is the
 * high-water mark of this process's own address space; elsewhere `maxRSS` is the fallback.
 */
import { readFileSync } from "node:fs";

/** This process's peak resident memory in MiB. */
export function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match !== null) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall back below.
  }
  return process.resourceUsage().maxRSS / 1024;
}
