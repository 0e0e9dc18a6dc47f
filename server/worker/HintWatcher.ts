import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import {
  type Address,
  erc20Abi,
  getAddress,
  parseEventLogs,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { subscriptionFactoryAbi } from "../../generated/abis.js";
import { unpackBatchCharges } from "../chain/batchCharges.js";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { chainHints, subscriptions } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { applyChainState } from "./applyChainState.js";
import { requestActivationOnApproval } from "./requestActivationOnApproval.js";
import type { WorkerTask } from "./runLoop.js";

type HintRow = typeof chainHints.$inferSelect;

export interface HintWatcherOptions {
  /** Looks at a transaction that is not mined yet this many times in all, then drops the hint. */
  maxAttempts: number;
  /** Wait before looking again at a transaction not mined yet, milliseconds; grows with each attempt. */
  retryMs: number;
  /** How long a hint is kept after it was looked at, seconds. */
  keepSeconds: number;
}

export const DEFAULT_HINT_WATCHER_OPTIONS: HintWatcherOptions = {
  // about 45 s in all: a slow block, a congested mempool
  maxAttempts: 6,
  retryMs: 3_000,
  keepSeconds: 6 * 3_600,
};

/** Subscriptions one receipt may make the watcher look at; a transaction touching more is left to the indexer. */
const MAX_SUBSCRIPTIONS_PER_HINT = 100;

/** How long a worker holds a hint it claimed before another may take it over. */
const LEASE_MS = 30_000;

/**
 * Acts on `hint-update-state` on one chain at once, instead of when the indexer's confirmations catch up: reads the
 * hinted transaction's receipt and, for each subscription it touches, does what the indexer would. An approval of a
 * draft's address asks for its activation (the request executor simulates first); a subscription's own events, or the
 * factory's activation and batch-charge events, bring its status in line with its state on chain now. Nothing but
 * the chain is trusted: the hint is only a transaction hash, and a hash of an unrelated or unknown transaction
 * changes nothing. A transaction not mined yet is looked at again a few times, then dropped; hints are deleted some
 * hours after they were looked at. The indexer still follows every event with its confirmations and corrects what a
 * reorganisation undoes.
 */
export class HintWatcher implements WorkerTask {
  readonly name: string;
  #prunedAt = 0;

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly options: HintWatcherOptions = DEFAULT_HINT_WATCHER_OPTIONS,
  ) {
    this.name = `hints:${chain.config.name}`;
  }

  get #chainId() {
    return this.chain.config.chainId;
  }

  async step(): Promise<boolean> {
    await this.#prune();
    const claimed = await this.#claim(10);
    let failure: unknown;
    for (const hint of claimed) {
      try {
        await this.#look(hint);
      } catch (error) {
        // left claimed until its lease runs out, while the others claimed with it go ahead
        failure ??= error;
      }
    }
    // the loop logs it and backs off
    if (failure !== undefined) throw failure;
    return claimed.length > 0;
  }

  async #claim(limit: number): Promise<HintRow[]> {
    const now = this.services.now();
    return this.services.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(chainHints)
        .where(
          and(
            eq(chainHints.chainId, this.#chainId),
            isNull(chainHints.processedAt),
            lte(chainHints.nextAttemptAt, now),
          ),
        )
        .orderBy(asc(chainHints.receivedAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return [];
      await tx
        .update(chainHints)
        .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS), attempts: sql`${chainHints.attempts} + 1` })
        .where(
          and(
            eq(chainHints.chainId, this.#chainId),
            inArray(
              chainHints.txHash,
              rows.map((row) => row.txHash),
            ),
          ),
        );
      return rows.map((row) => ({ ...row, attempts: row.attempts + 1 }));
    });
  }

  async #look(hint: HintRow): Promise<void> {
    let receipt: TransactionReceipt | undefined;
    try {
      receipt = await this.chain.client.getTransactionReceipt({ hash: hint.txHash });
    } catch (error) {
      // anything else (a timeout, a dropped connection) leaves the hint claimed until its lease runs out
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
    if (!receipt) {
      if (hint.attempts >= this.options.maxAttempts) return this.#done(hint, "dropped: no such transaction was mined");
      await this.services.db
        .update(chainHints)
        .set({ nextAttemptAt: new Date(this.services.now().getTime() + this.options.retryMs * hint.attempts) })
        .where(and(eq(chainHints.chainId, hint.chainId), eq(chainHints.txHash, hint.txHash)));
      return;
    }
    const outcome = await this.#actOn(receipt);
    await this.#done(hint, outcome);
  }

  /** Does what the receipt calls for; returns what was done, in a few words. */
  async #actOn(receipt: TransactionReceipt): Promise<string> {
    if (receipt.status !== "success") return "reverted: nothing changed";
    const { config } = this.chain;
    const tokens = new Set(config.tokens.map((token) => getAddress(token.address)));

    // approvals of configured tokens: their spenders may be drafts
    const approvals = parseEventLogs({ abi: erc20Abi, eventName: "Approval", logs: receipt.logs }).filter((log) =>
      tokens.has(getAddress(log.address)),
    );
    // every address that logged, and every subscription the factory's events name
    const touched = new Set<Address>(receipt.logs.map((log) => getAddress(log.address)));
    const factory = getAddress(config.factory);
    for (const log of parseEventLogs({ abi: subscriptionFactoryAbi, logs: receipt.logs })) {
      if (getAddress(log.address) !== factory) continue;
      if (log.eventName === "SubscriptionActivated") touched.add(getAddress(log.args.subscription));
      if (log.eventName === "SubscriptionsCharged") {
        for (const charge of unpackBatchCharges(log.args.charges)) touched.add(charge.subscription);
      }
    }
    const candidates = [...new Set([...touched, ...approvals.map((log) => getAddress(log.args.spender))])].slice(
      0,
      MAX_SUBSCRIPTIONS_PER_HINT,
    );
    const rows = await this.services.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.chainId, this.#chainId), inArray(subscriptions.contractAddress, candidates)));
    if (rows.length === 0) return "no subscription of this platform";

    // what the chain says now: a draft's allowance from its payer, a subscription's state
    const drafts = rows.filter((row) => row.status === "Draft");
    const approved = new Map<string, bigint>();
    for (const draft of drafts) {
      const spent = approvals.some((log) => getAddress(log.args.spender) === draft.contractAddress);
      if (!spent) continue;
      const { allowance } = await this.chain.funds(draft.tokenAddress, draft.payer, draft.contractAddress);
      approved.set(draft.contractAddress, allowance);
    }
    const states = await this.chain.states(rows.map((row) => row.contractAddress));

    const done: string[] = [];
    await this.services.db.transaction(async (tx) => {
      for (const row of rows) {
        const [locked] = await tx
          .select()
          .from(subscriptions)
          .where(eq(subscriptions.contractAddress, row.contractAddress))
          .for("update");
        if (!locked) continue;
        const state = states.get(row.contractAddress);
        const allowance = approved.get(row.contractAddress);
        if (locked.status === "Draft" && (!state || state.status === "None")) {
          if (allowance === undefined) continue;
          await requestActivationOnApproval(tx, this.services, locked, { owner: locked.payer, allowance });
          done.push(`approval of ${row.contractAddress}`);
          continue;
        }
        const applied = await applyChainState(tx, this.services, locked, { state });
        done.push(`${row.contractAddress} ${applied.status}`);
      }
    });
    return done.length > 0 ? `looked at ${done.join(", ")}` : "nothing to do";
  }

  async #done(hint: HintRow, outcome: string): Promise<void> {
    await this.services.db
      .update(chainHints)
      .set({ processedAt: this.services.now(), outcome })
      .where(and(eq(chainHints.chainId, hint.chainId), eq(chainHints.txHash, hint.txHash)));
  }

  /** Deletes the hints looked at more than {@link HintWatcherOptions.keepSeconds} ago, once a minute at most. */
  async #prune(): Promise<void> {
    const now = this.services.now();
    if (now.getTime() - this.#prunedAt < 60_000) return;
    this.#prunedAt = now.getTime();
    await this.services.db
      .delete(chainHints)
      .where(
        and(
          eq(chainHints.chainId, this.#chainId),
          isNotNull(chainHints.processedAt),
          lt(chainHints.processedAt, new Date(now.getTime() - this.options.keepSeconds * 1000)),
        ),
      );
  }
}
