import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../../stack/freePort.js";
import { startProcess } from "../../stack/startProcess.js";
import { processCpuMicros } from "./processCpuMicros.js";

/** A server under test, in a process of its own. */
export interface ServerProcess {
  url: string;
  /** The CPU time the process has used so far (user + system), microseconds. */
  cpuMicros(): number;
  /** SIGTERM (the entry closes its server and database), SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Starts `entry` (a path from the project root) as Node with tsx's loader, configured by `env` alone (plus
 * `RECUR_PORT`, a free port), and waits until `readyPath` answers. The child is the server process itself, not a
 * wrapper, so its pid is the one whose CPU time is read and which is stopped; it is owned (see `startProcess`), so
 * it is killed if this process exits first.
 */
export async function startServerProcess(
  entry: string,
  env: Record<string, string>,
  readyPath: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess(process.execPath, ["--import", "tsx", entry], {
    cwd: projectRoot,
    env: { ...env, RECUR_PORT: String(port) },
    output: "stderr",
  });
  const stop = async () => {
    await child.stop({ graceMs: 5_000 });
  };
  const { pid } = child;
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!child.running()) throw new Error(`${entry} exited before answering: ${child.output()}`);
      if (Date.now() > deadline) throw new Error(`${entry} did not answer ${url}${readyPath} within 120 s`);
      const answered = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) break;
      await sleep(100);
    }
    return { url, cpuMicros: () => processCpuMicros(pid) ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
