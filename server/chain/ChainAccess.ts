import {
  type Address,
  BaseError,
  type Chain,
  ContractFunctionZeroDataError,
  createPublicClient,
  defineChain,
  erc20Abi,
  http,
  type PublicClient,
  type Transport,
} from "viem";
import { subscriptionAbi } from "../../generated/abis.js";
import { ChainClock } from "./ChainClock.js";
import type { ChainConfig } from "./ChainRegistry.js";
import { RetryableError } from "./RetryableError.js";

/** A subscription's state as the contract reports it. */
export interface OnChainState {
  status: "None" | "Active" | "Paused" | "Cancelled" | "Finished";
  periodsCharged: number;
  /** Unix seconds; 0 once finished. */
  nextDueAt: number;
}

const STATUSES = ["None", "Active", "Paused", "Cancelled", "Finished"] as const;

/** `chargeable()` reason codes, in the contract's order. */
export const CHARGE_REASONS = [
  "Ok",
  "NotDue",
  "Paused",
  "Cancelled",
  "Finished",
  "AllowanceTooLow",
  "BalanceTooLow",
] as const;
export type ChargeReason = (typeof CHARGE_REASONS)[number];

/**
 * Reads one chain for the worker, through viem with retries and timeouts (the RPC may drop or delay requests).
 * Never logs its RPC URL, which may carry a key.
 */
export class ChainAccess {
  readonly client: PublicClient<Transport, Chain>;
  readonly chain: Chain;

  constructor(
    readonly config: ChainConfig,
    /** Shared with the API, which dates drafts by it. */
    readonly clock: ChainClock = new ChainClock(),
  ) {
    this.chain = defineChain({
      id: config.chainId,
      name: config.name,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [config.rpcUrl] } },
    });
    this.client = createPublicClient({
      chain: this.chain,
      // requests made together travel as one JSON-RPC batch
      transport: http(config.rpcUrl, {
        timeout: 10_000,
        retryCount: 3,
        retryDelay: 150,
        batch: { batchSize: 200, wait: 0 },
      }),
      pollingInterval: config.pollingIntervalMs ?? 2_000,
      cacheTime: 0,
    });
  }

  /** The newest block the indexer may treat as final: `confirmations` below the head. */
  async safeBlock(): Promise<{ number: bigint; hash: `0x${string}`; timestamp: bigint }> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    const number = head > BigInt(this.config.confirmations) ? head - BigInt(this.config.confirmations) : 0n;
    const block = await this.client.getBlock({ blockNumber: number });
    if (!block.hash) throw new RetryableError(`block ${number} has no hash yet`);
    return { number, hash: block.hash, timestamp: block.timestamp };
  }

  /**
   * The chain's own time, unix seconds, by which subscriptions fall due: the wall clock plus however far ahead the
   * chain has been seen to run (see {@link ChainClock}), refreshed from the latest block.
   */
  async now(): Promise<number> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    this.clock.observe(block.timestamp);
    return Math.max(Number(block.timestamp), this.clock.nowSeconds());
  }

  /** `state()` of each subscription, at `blockNumber` (latest if omitted); undefined where nothing is deployed. */
  async states(addresses: readonly Address[], blockNumber?: bigint): Promise<Map<Address, OnChainState | undefined>> {
    const results = await Promise.all(
      addresses.map(async (address) => {
        // one call, not getCode + call: an address without code answers with empty data
        const state = await this.client
          .readContract({
            address,
            abi: subscriptionAbi,
            functionName: "state",
            ...(blockNumber === undefined ? {} : { blockNumber }),
          })
          .catch((error: unknown) => {
            if (isEmptyAnswer(error)) return undefined;
            throw error;
          });
        if (state === undefined) return [address, undefined] as const;
        return [
          address,
          {
            status: STATUSES[state.status] ?? "None",
            periodsCharged: state.periodsCharged,
            nextDueAt: state.nextDueAt,
          },
        ] as const;
      }),
    );
    return new Map(results);
  }

  /** Why `subscription` can or cannot be charged now. */
  async chargeable(subscription: Address): Promise<ChargeReason> {
    const code = await this.client.readContract({
      address: subscription,
      abi: subscriptionAbi,
      functionName: "chargeable",
    });
    return CHARGE_REASONS[code] ?? "Ok";
  }

  /** The payer's allowance for `spender` and balance of `token`. */
  async funds(token: Address, payer: Address, spender: Address): Promise<{ allowance: bigint; balance: bigint }> {
    const [allowance, balance] = await Promise.all([
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [payer, spender] }),
      this.client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [payer] }),
    ]);
    return { allowance, balance };
  }
}

function isEmptyAnswer(error: unknown): boolean {
  return error instanceof BaseError && error.walk((cause) => cause instanceof ContractFunctionZeroDataError) !== null;
}
