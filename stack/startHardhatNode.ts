import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { createPublicClient, http } from "viem";
import { freePort } from "./freePort.js";
import { packageBin } from "./packageBin.js";
import { type OwnedProcess, startProcess } from "./startProcess.js";

/** A `hardhat node` this process started. */
export interface HardhatNode {
  url: string;
  port: number;
  /** Its pid (and process group). */
  pid: number;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Starts a `hardhat node` (chain id 31337, Hardhat's funded test accounts) on 127.0.0.1, at `port` or a free one,
 * and waits until it answers (up to `startTimeoutMs`, two minutes by default: a loaded machine is slow to start
 * it). The child is the node process itself, owned by this process (see `startProcess`): in a process group of
 * its own, and killed when this process exits or is terminated, so a Ctrl-C that the caller does not handle
 * itself still takes it down.
 */
export async function startHardhatNode(options: { port?: number; startTimeoutMs?: number } = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // its stdout logs every request: only stderr is kept, for when it fails to start
  const child = startProcess(
    process.execPath,
    [packageBin("hardhat"), "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: projectRoot,
      output: "stderr",
    },
  );
  const stop = async () => {
    await child.stop();
  };
  try {
    await waitUntilAnswering(url, child, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, stop };
}

async function waitUntilAnswering(url: string, child: OwnedProcess, timeoutMs: number): Promise<void> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }), cacheTime: 0 });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running()) {
      const exit = await child.exited;
      throw new Error(`hardhat node exited with ${exit.code ?? exit.signal}: ${child.output()}`);
    }
    try {
      await client.getChainId();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`hardhat node did not answer within ${timeoutMs / 1000} s: ${child.output()}`);
}
