import { type OwnedProcess, startProcess } from "../../stack/startProcess.js";

/** A worker running in a process of its own (`RECUR_ROLES=worker server/main.ts`). */
export interface WorkerProcess {
  process: OwnedProcess;
  /** Everything it logged. */
  output(): string;
  /** Kills it at once, as a crash would. */
  kill(): Promise<void>;
  /** Asks it to stop (SIGTERM) and waits. */
  stop(): Promise<void>;
}

/**
 * Starts `server/main.ts` as a worker only, with `env` (which must name a PostgreSQL database). It runs in one
 * process (Node with tsx's loader, not the tsx wrapper, so that a SIGKILL kills the worker itself), owned by the
 * test process (see `startProcess`): whatever the test does, it does not outlive it.
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = startProcess(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, RECUR_LOG_LEVEL: "info", ...env, RECUR_ROLES: "worker" },
  });
  return {
    process: child,
    output: () => child.output(),
    async kill() {
      await child.kill();
    },
    async stop() {
      await child.stop();
    },
  };
}
