import type { Address } from "viem";
import type { PermitKind } from "./permitKinds.js";

/** An ERC-20 the platform bills in, with the quirks that change how payers approve it. */
export interface TokenConfig {
  /** Unique across the deployment, used in money strings: `"9.99 USDC"`. */
  code: string;
  address: Address;
  decimals: number;
  /** Takes a permit, so the payer can sign instead of sending an approval: exactly when `permitKind` is not null. */
  permit: boolean;
  /** Which permit the token takes (see {@link PermitKind}); null when none. */
  permitKind: PermitKind | null;
  /** Refuses to change a non-zero allowance to another non-zero value (Tether): approve 0 first. */
  approveZeroFirst: boolean;
  /** Keeps part of every transfer; subscriptions refuse it, so plans cannot use it. */
  feeOnTransfer: boolean;
}

/** A chain the platform operates on. */
export interface ChainConfig {
  chainId: number;
  /** The `blockchain` code used in the API. */
  name: string;
  /** JSON-RPC endpoint; may embed an API key, so it is never logged or returned. */
  rpcUrl: string;
  /** Blocks after which the indexer treats a block as final. */
  confirmations: number;
  /** The `SubscriptionFactory` on this chain. */
  factory: Address;
  /**
   * A `SmartAccountFactory` of test smart-contract accounts: on the local development chain only, for wallets and
   * tests that pay as a smart account.
   */
  smartAccountFactory?: Address | undefined;
  /** Base URL of a block explorer, for links to transactions. */
  explorerUrl?: string | undefined;
  /** The most the worker pays per gas, wei; above it, it waits. No cap when absent. */
  maxFeePerGas?: bigint | undefined;
  /**
   * How often the worker asks the node for receipts and new blocks, milliseconds; 2,000 when absent. A chain that
   * mines every transaction at once (the local development chain) wants it short.
   */
  pollingIntervalMs?: number | undefined;
  tokens: TokenConfig[];
}

/** The chains and tokens of one deployment, looked up by chain id, chain name or token code. */
export class ChainRegistry {
  readonly chains: readonly ChainConfig[];
  readonly #byId = new Map<number, ChainConfig>();
  readonly #byName = new Map<string, ChainConfig>();
  readonly #tokens = new Map<string, { chain: ChainConfig; token: TokenConfig }>();

  constructor(chains: readonly ChainConfig[]) {
    this.chains = chains;
    for (const chain of chains) {
      if (this.#byId.has(chain.chainId)) throw new Error(`chain ${chain.chainId} is configured twice`);
      if (this.#byName.has(chain.name)) throw new Error(`chain name "${chain.name}" is used twice`);
      this.#byId.set(chain.chainId, chain);
      this.#byName.set(chain.name, chain);
      for (const token of chain.tokens) {
        if (this.#tokens.has(token.code)) throw new Error(`token code "${token.code}" is used twice`);
        this.#tokens.set(token.code, { chain, token });
      }
    }
  }

  chainById(chainId: number): ChainConfig | undefined {
    return this.#byId.get(chainId);
  }

  chainByName(name: string): ChainConfig | undefined {
    return this.#byName.get(name);
  }

  /** The token with money code `code` and its chain. */
  token(code: string): { chain: ChainConfig; token: TokenConfig } | undefined {
    return this.#tokens.get(code);
  }

  /** Every token code, for error messages that list what is accepted. */
  tokenCodes(): string[] {
    return [...this.#tokens.keys()];
  }
}
