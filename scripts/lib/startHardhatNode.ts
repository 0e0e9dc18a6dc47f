import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, http } from "viem";
import { freePort } from "./freePort.js";

/** A `hardhat node` this process started. */
export interface HardhatNode {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The path of Hardhat's command-line entry point, from its package's `bin`. */
function hardhatCli(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("hardhat/package.json");
  const { bin } = require(manifest) as { bin: { hardhat: string } };
  return path.join(path.dirname(manifest), bin.hardhat);
}

/**
 * Starts a `hardhat node` (chain id 31337, Hardhat's funded test accounts) on 127.0.0.1, at `port` or a free one,
 * and waits until it answers. The child is the node process itself (killing a wrapper would leave it running); it
 * stays in this process group, so Ctrl-C in a terminal reaches it, and it is killed if this process exits first.
 */
export async function startHardhatNode(options: { port?: number; quiet?: boolean } = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [hardhatCli(), "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: projectRoot,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    process.off("exit", killOnExit);
    await stopProcess(child);
  };
  try {
    await waitUntilAnswering(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }), cacheTime: 0 });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}: ${stderr()}`);
    try {
      await client.getChainId();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`hardhat node did not answer within 60 s: ${stderr()}`);
}

/** Stops a child process: SIGTERM, then SIGKILL after 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timeout);
}
