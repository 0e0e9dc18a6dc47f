import { network } from "hardhat";
import { type Address, parseUnits } from "viem";
import { startHardhatNode } from "../../stack/startHardhatNode.js";

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
export async function startUpstreamChain(env: NodeJS.ProcessEnv): Promise<UpstreamChain> {
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
    // the pattern matched two addresses
    entries.set(match[1], { address: match[2] as Address, whale: match[3] as Address });
  }
  const pick = (kind: keyof UpstreamTokens) => {
    const token = entries.get(kind);
    if (!token) throw new Error(`RECUR_FORK_TOKENS has no "${kind}" token; expected ${example}`);
    return token;
  };
  return { standard: pick("standard"), usdtLike: pick("usdtLike"), permit: pick("permit") };
}

async function startLocalNode(): Promise<UpstreamChain> {
  const node = await startHardhatNode();
  try {
    return { url: node.url, tokens: await deployTokens(node.url), stop: node.stop };
  } catch (error) {
    await node.stop();
    throw error;
  }
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
