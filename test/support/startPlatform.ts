import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  erc20Abi,
  type Hex,
  http,
  type PublicClient,
  parseEther,
  type Transport,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { standardTokenAbi, subscriptionAbi } from "../../generated/abis.js";
import { localChain, localViemChain } from "../../server/chain/localChain.js";
import { watchChainClocks } from "../../server/chain/watchChainClocks.js";
import { setMerchantChain } from "../../server/domain/merchants.js";
import type { Draft } from "../../server/schemas/subscriptions.js";
import { type RunningWorker, startWorker } from "../../server/worker/startWorker.js";
import { deployLocalContracts } from "../../stack/deployLocalContracts.js";
import { type HardhatNode, startHardhatNode } from "../../stack/startHardhatNode.js";
import { waitUntil } from "../../stack/waitUntil.js";
import { startTestServer, type TestServer } from "./startTestServer.js";

/** A payer with a key and ETH for gas on the local chain. */
export interface TestPayer {
  address: Address;
  key: Hex;
}

export interface Platform {
  node: HardhatNode;
  server: TestServer;
  /** The worker running in this process, unless the platform was started without one. */
  worker: RunningWorker | undefined;
  /** The variables a worker process needs to run on this platform's database, chain and gas wallet. */
  workerEnv: Record<string, string>;
  client: PublicClient<Transport, Chain>;
  chain: Chain;
  /** The merchant's gas wallet, funded, with its key loaded by the worker. */
  gasWallet: Address;
  /** A funded payer holding `tokens` of every test token. */
  newPayer(tokens?: bigint): Promise<TestPayer>;
  /** Sends a transaction from `payer` to `contract` (a wallet action: approve, pause, cancel...); its hash, once mined. */
  send(
    payer: TestPayer,
    call: { address: Address; abi: readonly unknown[]; functionName: string; args?: readonly unknown[] },
  ): Promise<Hex>;
  /** The payer approves the draft's suggested allowance (through zero first where the token needs it): the hash. */
  approve(payer: TestPayer, draft: Draft, amount?: bigint): Promise<Hex>;
  /** Moves the chain's clock forward and mines a block. */
  travel(seconds: number): Promise<void>;
  /**
   * Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` (two minutes by default: a
   * deadline, not a delay, so a loaded machine gets time and a passing test none) with `what`.
   */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The whole platform on a real local chain: a `hardhat node` with the contracts deployed as in production, the API
 * with its worker running in this process (unless `inProcessWorker` is false, for worker processes of one's own)
 * on a fresh database, and a merchant whose gas wallet the worker can use. `env` adds configuration.
 */
export async function startPlatform(
  env: Record<string, string> = {},
  options: {
    inProcessWorker?: boolean;
    /** What the platform (not the test) reaches the chain through: a proxy in front of the node, say. */
    rpcUrl?: (nodeUrl: string) => Promise<string>;
    /** Where the worker logs (silent by default). */
    log?: pino.Logger;
    /**
     * Blocks the indexer waits for, as on a real network (none by default): the local chain is then described by a
     * chains file rather than built in.
     */
    confirmations?: number;
    /** Deploys what the test needs on the chain before the platform starts; returns configuration to add. */
    prepare?: (nodeUrl: string) => Promise<Record<string, string>>;
  } = {},
): Promise<Platform> {
  const node = await startHardhatNode();
  let chainsDir: string | undefined;
  let server: TestServer | undefined;
  let worker: RunningWorker | undefined;
  const clocks = new AbortController();
  try {
    await deployLocalContracts(node.url);
    const prepared = options.prepare ? await options.prepare(node.url) : {};
    const rpcUrl = options.rpcUrl ? await options.rpcUrl(node.url) : node.url;
    const chainEnv: Record<string, string> = {};
    if (options.confirmations !== undefined) {
      chainsDir = await mkdtemp(path.join(tmpdir(), "recur-chains-"));
      const file = path.join(chainsDir, "chains.json");
      const { maxFeePerGas: _, ...local } = localChain(rpcUrl);
      await writeFile(file, JSON.stringify({ chains: [{ ...local, confirmations: options.confirmations }] }));
      Object.assign(chainEnv, { RECUR_LOCAL_CHAIN: "off", RECUR_CHAINS_FILE: file });
    }
    // the gas wallet's key is a variable of the configuration's environment, as a deployment would give it
    const gasKey = generatePrivateKey();
    const gasWallet = privateKeyToAccount(gasKey).address;
    const keyVariable = `RECUR_TEST_GAS_KEY_${randomBytes(4).toString("hex")}`;
    server = await startTestServer({
      [keyVariable]: gasKey,
      RECUR_LOCAL_RPC_URL: rpcUrl,
      RECUR_POLL_MS: "100",
      RECUR_LEASE: "10s",
      ...chainEnv,
      ...prepared,
      ...env,
    });
    const chain = localViemChain(node.url);
    const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 50, cacheTime: 0 });
    const fund = (address: Address) =>
      client.request({
        method: "hardhat_setBalance" as never,
        params: [address, `0x${parseEther("100").toString(16)}`] as never,
      });

    await fund(gasWallet);
    await setMerchantChain(server.database.db, server.merchant.merchantId, {
      chainId: 31337,
      payoutAddress: server.merchant.payout,
      gasWalletAddress: gasWallet,
      gasWalletKey: `env:${keyVariable}`,
    });
    server.merchant.gasWallet = gasWallet;
    const log = options.log ?? pino({ level: process.env.RECUR_TEST_LOG_LEVEL ?? "silent" });
    // the worker keeps the chain's clock; without one here, the API watches it itself (as server/main.ts does)
    if (options.inProcessWorker !== false) worker = await startWorker(server.services, log);
    else watchChainClocks(server.services, clocks.signal, 200);
    const tokens = server.services.config.chains.chainById(31337)?.tokens ?? [];

    const send: Platform["send"] = async (payer, call) => {
      const wallet = createWalletClient({ account: privateKeyToAccount(payer.key), chain, transport: http(node.url) });
      const hash = await wallet.writeContract(call as Parameters<typeof wallet.writeContract>[0]);
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${call.functionName} reverted`);
      return hash;
    };

    const platform: Platform = {
      node,
      server,
      worker,
      workerEnv: server.env,
      client,
      chain,
      gasWallet,
      async newPayer(amount = 10n ** 12n) {
        const key = generatePrivateKey();
        const payer = { address: privateKeyToAccount(key).address, key };
        await fund(payer.address);
        for (const token of tokens) {
          await send(payer, {
            address: token.address,
            abi: standardTokenAbi,
            functionName: "mint",
            args: [payer.address, amount],
          });
        }
        return payer;
      },
      send,
      async approve(payer, draft, amount = BigInt(draft.approval.suggestedAllowance)) {
        // the API answers addresses as strings
        const token = draft.approval.token as Address;
        const spender = draft.contractAddress as Address;
        if (draft.approval.approveZeroFirst) {
          const current = await client.readContract({
            address: token,
            abi: erc20Abi,
            functionName: "allowance",
            args: [payer.address, spender],
          });
          if (current !== 0n)
            await send(payer, { address: token, abi: erc20Abi, functionName: "approve", args: [spender, 0n] });
        }
        return send(payer, { address: token, abi: erc20Abi, functionName: "approve", args: [spender, amount] });
      },
      async travel(seconds) {
        await client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
        await client.request({ method: "evm_mine" as never, params: [] as never });
      },
      waitFor: (what, check, timeoutMs) => waitUntil(what, check, { timeoutMs }),
      async stop() {
        clocks.abort();
        await worker?.stop();
        await server?.close();
        await node.stop();
        if (chainsDir) await rm(chainsDir, { recursive: true, force: true });
      },
    };
    return platform;
  } catch (error) {
    clocks.abort();
    await worker?.stop();
    await server?.close();
    await node.stop();
    if (chainsDir) await rm(chainsDir, { recursive: true, force: true });
    throw error;
  }
}

/** The subscription contract's ABI, for payer actions in tests. */
export { subscriptionAbi };
