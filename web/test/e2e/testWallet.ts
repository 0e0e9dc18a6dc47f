import type { Page } from "playwright-core";
import { type Chain, createWalletClient, type Hex, http, type RpcTransactionRequest } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** The wallet the page sees: its EIP-6963 name, and what it was asked to do. */
export interface TestWallet {
  name: string;
  /** Every method the page called, in order. */
  calls: string[];
  /** Methods the payer declines in the wallet (EIP-1193 error 4001) until removed: a test adds and removes them. */
  declining: Set<string>;
  /** The payer moves the wallet to another chain by themselves, as a wallet's own network menu does. */
  moveTo(chainId: number): Promise<void>;
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
  },
) {
  const account = privateKeyToAccount(options.key);
  const wallet = createWalletClient({ account, chain: options.chain, transport: http(options.rpcUrl) });
  const state: TestWallet = {
    name: "Test Wallet",
    calls: [],
    declining: new Set(),
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

  await page.exposeFunction("__testWallet", async (method: string, paramsJson: string) => {
    state.calls.push(method);
    const params = JSON.parse(paramsJson) as unknown[];
    const ok = (result: unknown) => JSON.stringify({ result });
    if (state.declining.has(method)) {
      return JSON.stringify({ error: { code: 4001, message: "User rejected the request." } });
    }
    try {
      switch (method) {
        case "eth_requestAccounts":
          connected = true;
          return ok([account.address]);
        case "eth_accounts":
          return ok(connected ? [account.address] : []);
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
          return ok(await account.signTypedData({ types: messageTypes, domain, primaryType, message } as never));
        }
        case "eth_sendTransaction": {
          if (!connected) return JSON.stringify({ error: { code: 4100, message: "Not connected" } });
          const [request] = params as [RpcTransactionRequest];
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
