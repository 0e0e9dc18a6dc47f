import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import hre, { network } from "hardhat";
import { type Address, createPublicClient, http, parseUnits } from "viem";

/** A token on the upstream chain and an account holding plenty of it, to fund test payers from. */
export interface UpstreamToken {
  address: Address;
  whale: Address;
}

/** The token kinds the fork tests exercise. */
export interface UpstreamTokens {
  standard: UpstreamToken;
  usdtLike: UpstreamToken;
  permit: UpstreamToken;
}

/** A running chain the fork tests fork from. */
export interface UpstreamChain {
  url: string;
  tokens: UpstreamTokens;
  /** Stops the chain if these tests started it; a chain the user pointed at is left alone. */
  stop(): Promise<void>;
}

/**
 * The chain to fork: the one named by `RECUR_FORK_URL` and `RECUR_FORK_TOKENS` when they are set (a real network),
 * otherwise a fresh `hardhat node` on 127.0.0.1 with the test tokens deployed and a funded whale for each.
 */
export async function startUpstreamChain(env: NodeJS.ProcessEnv = process.env): Promise<UpstreamChain> {
  const url = env.RECUR_FORK_URL;
  if (url) return { url, tokens: parseForkTokens(env.RECUR_FORK_TOKENS), stop: async () => {} };
  return startLocalNode();
}

/**
 * Reads `RECUR_FORK_TOKENS`: `standard=<token>@<whale>,usdtLike=<token>@<whale>,permit=<token>@<whale>`.
 */
export function parseForkTokens(value: string | undefined): UpstreamTokens {
  const example = "standard=0xToken@0xWhale,usdtLike=0xToken@0xWhale,permit=0xToken@0xWhale";
  if (!value) throw new Error(`RECUR_FORK_URL is set, so RECUR_FORK_TOKENS must be too, as ${example}`);
  const entries = new Map<string, UpstreamToken>();
  for (const part of value.split(",")) {
    const match = /^\s*(\w+)=(0x[0-9a-fA-F]{40})@(0x[0-9a-fA-F]{40})\s*$/.exec(part);
    if (!match?.[1] || !match[2] || !match[3]) {
      throw new Error(`RECUR_FORK_TOKENS: cannot read "${part}"; expected ${example}`);
    }
    entries.set(match[1], { address: match[2] as Address, whale: match[3] as Address });
  }
  const pick = (kind: keyof UpstreamTokens) => {
    const token = entries.get(kind);
    if (!token) throw new Error(`RECUR_FORK_TOKENS has no "${kind}" token; expected ${example}`);
    return token;
  };
  return { standard: pick("standard"), usdtLike: pick("usdtLike"), permit: pick("permit") };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

async function startLocalNode(): Promise<UpstreamChain> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = hardhatCli();
  // the node process itself, not a wrapper (killing a wrapper leaves the node running); it stays in our process
  // group so that Ctrl-C in a terminal reaches it too, and it is killed if this process exits without stopping it
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: hre.config.paths.root,
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
    const publicClient = createPublicClient({ transport: http(url), pollingInterval: 50, cacheTime: 0 });
    await waitUntilAnswering(publicClient, child, () => stderr);
    const tokens = await deployTokens(url);
    return { url, tokens, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The path of Hardhat's command-line entry point, from its package's `bin`. */
function hardhatCli(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("hardhat/package.json");
  const { bin } = require(manifest) as { bin: { hardhat: string } };
  return path.join(path.dirname(manifest), bin.hardhat);
}

async function waitUntilAnswering(
  client: ReturnType<typeof createPublicClient>,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
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

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timeout = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timeout);
}

/** Deploys the standard, Tether-like and permit test tokens from the node's account #9, its whale. */
async function deployTokens(url: string): Promise<UpstreamTokens> {
  const connection = await network.create({ network: "upstream", override: { url } });
  try {
    const { viem } = connection;
    const whale = (await viem.getWalletClients())[9];
    if (!whale) throw new Error("the upstream node has fewer than 10 accounts");
    const from = { account: whale.account };
    const standard = await viem.deployContract("StandardToken", [], { client: { wallet: whale } });
    const usdtLike = await viem.deployContract("UsdtLikeToken", [], { client: { wallet: whale } });
    const permit = await viem.deployContract("PermitToken", [], { client: { wallet: whale } });
    await standard.write.mint([whale.account.address, parseUnits("1000000", 18)], from);
    await usdtLike.write.mint([whale.account.address, parseUnits("1000000", 6)], from);
    await permit.write.mint([whale.account.address, parseUnits("1000000", 6)], from);
    const at = (address: Address) => ({ address, whale: whale.account.address });
    return { standard: at(standard.address), usdtLike: at(usdtLike.address), permit: at(permit.address) };
  } finally {
    await connection.close();
  }
}
