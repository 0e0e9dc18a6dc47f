import type { Page } from "playwright-core";
import {
  type Address,
  type Chain,
  concatHex,
  createWalletClient,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  http,
  numberToHex,
  type RpcTransactionRequest,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** The wallet the page sees: its EIP-6963 name, and what it was asked to do. */
export interface TestWallet {
  name: string;
  /** Every method the page called, in order. */
  calls: string[];
  /** Methods the payer declines in the wallet (EIP-1193 error 4001) until removed: a test adds and removes them. */
  declining: Set<string>;
  /**
   * Methods the wallet keeps open, as a payer reading the prompt does, until the promise settles: a test holds one to
   * see the page while the wallet asks.
   */
  holding: Map<string, Promise<void>>;
  /** The payer moves the wallet to another chain by themselves, as a wallet's own network menu does. */
  moveTo(chainId: number): Promise<void>;
}

/** The smart account's one entry point the wallet uses: its owner sends every batch of calls through it. */
const executeBatchAbi = [
  {
    type: "function",
    name: "executeBatch",
    stateMutability: "payable",
    inputs: [
      {
        name: "calls",
        type: "tuple[]",
        components: [
          { name: "target", type: "address" },
          { name: "value", type: "uint256" },
          { name: "data", type: "bytes" },
        ],
      },
    ],
    outputs: [],
  },
] as const;

/** ERC-6492's suffix: a signature of an account not deployed yet, wrapped with how to deploy it. */
const ERC6492_MAGIC: Hex = "0x6492649264926492649264926492649264926492649264926492649264926492";

/**
 * A smart-contract account (ERC-1271) the wallet acts as, its key being the account's owner: the page sees the
 * account's address, signatures are the owner's (which the account validates), and calls go through
 * `executeBatch`, several at once and atomically (EIP-5792 `wallet_sendCalls`). `deploy` names the factory call that
 * creates the account when it does not exist yet: its signatures are then wrapped as ERC-6492 asks.
 */
export interface SmartAccountOptions {
  address: Address;
  deploy?: { factory: Address; factoryData: Hex };
}

/** What a wallet asks its user to confirm: each call of one of these is a prompt. */
const PROMPTING_METHODS: ReadonlySet<string> = new Set([
  "eth_requestAccounts",
  "wallet_requestPermissions",
  "wallet_switchEthereumChain",
  "wallet_addEthereumChain",
  "personal_sign",
  "eth_signTypedData_v4",
  "eth_sendTransaction",
  "wallet_sendCalls",
]);

/** The prompts the payer saw among `calls`, in order. */
export const promptsIn = (calls: readonly string[]) => calls.filter((method) => PROMPTING_METHODS.has(method));

/**
 * The provider installed in the page before any script runs; it forwards every request to the test process. A string,
 * not a function: tsx rewrites functions (adding helpers that exist only in Node), and this runs in the page.
 */
const PROVIDER_SCRIPT = `(() => {
  const info = __INFO__;
  const listeners = new Map();
  const provider = {
    async request({ method, params }) {
      const answer = JSON.parse(await window.__testWallet(method, JSON.stringify(params ?? [])));
      if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
      if (method === "eth_requestAccounts") {
        for (const listener of listeners.get("accountsChanged") ?? []) listener(answer.result);
      }
      if (method === "wallet_switchEthereumChain") {
        for (const listener of listeners.get("chainChanged") ?? []) listener(params[0].chainId);
      }
      return answer.result;
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return provider;
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
  };
  // what the wallet's own user interface does: the test process calls this to move the wallet to another chain
  window.__testWalletEmit = (event, value) => {
    for (const listener of listeners.get(event) ?? []) listener(value);
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

/**
 * Gives `page` an EIP-1193 wallet announced over EIP-6963, holding `key`: it signs messages and transactions in the
 * test process and sends them to the chain at `rpcUrl`. Like a real wallet it reveals no account (`eth_accounts` is
 * `[]`) until the page asks with `eth_requestAccounts`, so nothing connects on load.
 */
export async function installTestWallet(
  page: Page,
  options: {
    key: Hex;
    chain: Chain;
    rpcUrl: string;
    /** Acts as this smart account (owned by `key`) instead of as the key's own address. */
    smartAccount?: SmartAccountOptions;
  },
) {
  const account = privateKeyToAccount(options.key);
  const smart = options.smartAccount;
  /** The address the page sees. */
  const address = smart?.address ?? account.address;
  const wallet = createWalletClient({ account, chain: options.chain, transport: http(options.rpcUrl) });
  const state: TestWallet = {
    name: "Test Wallet",
    calls: [],
    declining: new Set(),
    holding: new Map(),
    async moveTo(chainId) {
      chainIdHex = `0x${chainId.toString(16)}`;
      await page.evaluate(`window.__testWalletEmit("chainChanged", ${JSON.stringify(chainIdHex)})`);
    },
  };
  let connected = false;
  let rpcId = 0;
  const forward = async (method: string, params: unknown[]) => {
    const response = await fetch(options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
    });
    return (await response.json()) as { result?: unknown; error?: unknown };
  };
  let chainIdHex = `0x${options.chain.id.toString(16)}`;
  /** The transaction of each batch `wallet_sendCalls` sent, by its index (the batch's id). */
  const batches: Hex[] = [];
  const isDeployed = async (at: Address) => {
    const { result } = (await forward("eth_getCode", [at, "latest"])) as { result?: Hex };
    return result !== undefined && result !== "0x";
  };
  /**
   * Sends `calls` from the smart account, through its owner: one transaction, all of them or none; an account not
   * deployed yet is deployed first, as a smart wallet's first transaction does.
   */
  const execute = async (calls: { to: Address; data: Hex; value: Hex }[]) => {
    if (smart?.deploy && !(await isDeployed(smart.address))) {
      await wallet.sendTransaction({ to: smart.deploy.factory, data: smart.deploy.factoryData });
    }
    return wallet.sendTransaction({
      to: smart?.address ?? null,
      data: encodeFunctionData({
        abi: executeBatchAbi,
        functionName: "executeBatch",
        args: [calls.map((call) => ({ target: call.to, value: BigInt(call.value), data: call.data }))],
      }),
    });
  };

  await page.exposeFunction("__testWallet", async (method: string, paramsJson: string) => {
    state.calls.push(method);
    const params = JSON.parse(paramsJson) as unknown[];
    const ok = (result: unknown) => JSON.stringify({ result });
    await state.holding.get(method);
    if (state.declining.has(method)) {
      return JSON.stringify({ error: { code: 4001, message: "User rejected the request." } });
    }
    try {
      switch (method) {
        case "eth_requestAccounts":
          connected = true;
          return ok([address]);
        case "eth_accounts":
          return ok(connected ? [address] : []);
        case "eth_chainId":
          return ok(chainIdHex);
        case "net_version":
          return ok(String(Number(chainIdHex)));
        case "wallet_switchEthereumChain": {
          const [{ chainId }] = params as [{ chainId: string }];
          if (Number(chainId) !== options.chain.id) {
            return JSON.stringify({ error: { code: 4902, message: `Unrecognized chain ${chainId}` } });
          }
          chainIdHex = `0x${options.chain.id.toString(16)}`;
          return ok(null);
        }
        case "wallet_getPermissions":
        case "wallet_requestPermissions":
          return ok([{ parentCapability: "eth_accounts" }]);
        case "personal_sign": {
          const [message] = params as [Hex];
          return ok(await account.signMessage({ message: { raw: message } }));
        }
        case "eth_signTypedData_v4": {
          const [, typedData] = params as [Hex, string];
          const { types, domain, primaryType, message } = JSON.parse(typedData) as {
            types: Record<string, { name: string; type: string }[]>;
            domain: Record<string, unknown>;
            primaryType: string;
            message: Record<string, unknown>;
          };
          const { EIP712Domain: _domainType, ...messageTypes } = types;
          const signature = await account.signTypedData({ types: messageTypes, domain, primaryType, message } as never);
          if (!smart?.deploy || (await isDeployed(smart.address))) return ok(signature);
          const { factory, factoryData } = smart.deploy;
          const wrapped = encodeAbiParameters(
            [{ type: "address" }, { type: "bytes" }, { type: "bytes" }],
            [factory, factoryData, signature],
          );
          return ok(concatHex([wrapped, ERC6492_MAGIC]));
        }
        case "wallet_getCapabilities": {
          // an account that is not a smart account (no `smartAccount`) answers as wallets without EIP-5792 do
          if (!smart) return JSON.stringify({ error: { code: -32601, message: "Method not supported" } });
          return ok({ [chainIdHex]: { atomic: { status: "supported" } } });
        }
        case "wallet_sendCalls": {
          if (!smart || !connected) return JSON.stringify({ error: { code: 4100, message: "Not connected" } });
          const [request] = params as [{ calls: { to: Address; data?: Hex; value?: Hex }[] }];
          const hash = await execute(
            request.calls.map((call) => ({ to: call.to, data: call.data ?? "0x", value: call.value ?? "0x0" })),
          );
          const id = numberToHex(batches.push(hash) - 1, { size: 32 });
          return ok({ id });
        }
        case "wallet_getCallsStatus": {
          const [id] = params as [Hex];
          const hash = batches[Number(id)];
          if (!hash) return JSON.stringify({ error: { code: 5730, message: "Unknown bundle id" } });
          const { result: receipt } = (await forward("eth_getTransactionReceipt", [hash])) as {
            result: null | { status: Hex; logs: unknown[]; blockHash: Hex; blockNumber: Hex; gasUsed: Hex };
          };
          const base = { version: "2.0.0", id, chainId: chainIdHex, atomic: true };
          if (!receipt) return ok({ ...base, status: 100 });
          const { status, logs, blockHash, blockNumber, gasUsed } = receipt;
          return ok({
            ...base,
            status: status === "0x1" ? 200 : 500,
            receipts: [{ status, logs, blockHash, blockNumber, gasUsed, transactionHash: hash }],
          });
        }
        case "eth_sendTransaction": {
          if (!connected) return JSON.stringify({ error: { code: 4100, message: "Not connected" } });
          const [request] = params as [RpcTransactionRequest];
          if (smart) {
            if (!request.to) throw new Error("a smart account deploys no contract");
            return ok(await execute([{ to: request.to, data: request.data ?? "0x", value: request.value ?? "0x0" }]));
          }
          const hash = await wallet.sendTransaction({
            to: request.to ?? null,
            data: request.data,
            value: request.value ? BigInt(request.value) : 0n,
            ...(request.gas ? { gas: BigInt(request.gas) } : {}),
          });
          return ok(hash);
        }
        default:
          return JSON.stringify(await forward(method, params));
      }
    } catch (error) {
      return JSON.stringify({
        error: { code: -32603, message: error instanceof Error ? error.message : String(error) },
      });
    }
  });
  const info = {
    uuid: "4f1a2c8e-7b7e-4a43-9d55-0c6b2f1e9a11",
    name: state.name,
    rdns: "org.recur.testwallet",
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='32' height='32'%3E%3Crect width='32' height='32' fill='%232151d1'/%3E%3C/svg%3E",
  };
  await page.addInitScript({ content: PROVIDER_SCRIPT.replace("__INFO__", JSON.stringify(info)) });
  return state;
}
