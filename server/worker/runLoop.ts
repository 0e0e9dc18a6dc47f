import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyBaseLogger } from "fastify";
import { isRetryable } from "../chain/classifyError.js";

/** One of the worker's jobs, done a step at a time. */
export interface WorkerTask {
  /** For logs: `keeper:localhost`. */
  name: string;
  /** Does one step of work; returns whether there may be more to do right away. */
  step(): Promise<boolean>;
}

/** Resolves after `ms`, or at once when `signal` aborts (the rejection an abort gives is the stop asked for). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {});
}

/**
 * Runs `task` until `signal` aborts: again at once while it has work, every `idleMs` otherwise. A failure is logged
 * and the loop goes on; failures worth retrying ({@link isRetryable}: network, timeouts, lost database races) back
 * off exponentially, up to a minute, and are logged as warnings, others as errors. Stops between steps, never in the
 * middle of one.
 */
export async function runLoop(
  task: WorkerTask,
  options: { idleMs: number; signal: AbortSignal; log: FastifyBaseLogger },
): Promise<void> {
  let failures = 0;
  while (!options.signal.aborted) {
    let busy = false;
    try {
      busy = await task.step();
      failures = 0;
    } catch (error) {
      failures++;
      const retryable = isRetryable(error);
      options.log[retryable ? "warn" : "error"]({ err: error, task: task.name, failures }, `${task.name} failed`);
      await pause(Math.min(60_000, options.idleMs * 2 ** Math.min(failures, 10)), options.signal);
      continue;
    }
    if (!busy) await pause(options.idleMs, options.signal);
  }
}
