import { type ChildProcess, spawn } from "node:child_process";
import { stopProcess } from "../../../scripts/lib/startHardhatNode.js";

/** A worker running in a process of its own (`RECUR_ROLES=worker server/main.ts`). */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it logged. */
  output(): string;
  /** Kills it at once, as a crash would. */
  kill(): Promise<void>;
  /** Asks it to stop (SIGTERM) and waits. */
  stop(): Promise<void>;
}

/**
 * Starts `server/main.ts` as a worker only, with `env` (which must name a PostgreSQL database). It runs in one
 * process (Node with tsx's loader, not the tsx wrapper, which a SIGKILL would orphan its child from).
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, RECUR_LOG_LEVEL: "info", ...env, RECUR_ROLES: "worker" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  return {
    child,
    output: () => output,
    async kill() {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      process.off("exit", killOnExit);
      await stopProcess(child);
    },
  };
}
