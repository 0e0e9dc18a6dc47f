import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second, the unit of /proc's CPU times. */
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * The CPU time process `pid` of this machine has used so far (user + system, all its threads), microseconds, from
 * /proc/<pid>/stat; undefined when it is gone or unreadable. Resolution: one clock tick (10 ms on Linux).
 */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // the fields after the command name (which may hold spaces), from field 3: utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks / TICKS_PER_SECOND) * 1_000_000 : undefined;
}
