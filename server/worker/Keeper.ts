import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  getAddress,
  type Log,
  parseEventLogs,
  type TransactionReceipt,
  toHex,
} from "viem";
import { subscriptionAbi, subscriptionFactoryAbi } from "../../generated/abis.js";
import { unpackBatchCharges } from "../chain/batchCharges.js";
import type { ChainAccess, ChargeReason, OnChainState } from "../chain/ChainAccess.js";
import { isRetryable } from "../chain/classifyError.js";
import { revertReason } from "../chain/revertReason.js";
import type { Queryable } from "../db/openDatabase.js";
import { subscriptions } from "../db/schema.js";
import { upsertCharges } from "../domain/charges.js";
import { formatMoney } from "../domain/money.js";
import { recordEvent } from "../domain/recordEvent.js";
import { toChargeResource } from "../domain/resources.js";
import type { Services } from "../domain/Services.js";
import { updateSubscription } from "../domain/updateSubscription.js";
import { applyChainState, applyRoutineCharges, type ObservedCharge, type RoutineCharge } from "./applyChainState.js";
import type { WorkerTask } from "./runLoop.js";
import { type TransactionSender, TransactionWouldFailError } from "./TransactionSender.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** How a {@link Keeper} claims, batches and retries: the worker's configuration (`RECUR_KEEPER_BATCH`, ...). */
export interface KeeperOptions {
  /** Subscriptions claimed per step. */
  claimSize: number;
  /** Subscriptions per `chargeMany` transaction. */
  batchSize: number;
  /** Seconds between failed attempts: the first retry after the first rung, and so on; the last one repeats. */
  retryLadder: readonly number[];
  /** How long a claim holds, seconds. */
  leaseSeconds: number;
  /** Where a batch that failed as a whole is reported (a pino or Fastify logger); nowhere if absent. */
  log?: { warn(details: object, message: string): void } | undefined;
}

/** `Subscription._packedState`, the one storage slot a charge reads and writes in the subscription itself. */
const STATE_SLOT = toHex(0n, { size: 32 });

/** Charge failures a payer can fix, in words for the merchant. */
const FAILURE_WORDS: Partial<Record<ChargeReason, string>> = {
  AllowanceTooLow: "the payer's allowance for the subscription is below one period",
  BalanceTooLow: "the payer's balance is below one period",
};

/** Why a subscription whose allowance and balance suffice fails when charged alone, in words for the merchant. */
const REFUSED_WORDS = {
  TransferFailed:
    "the token refused the transfer (a paused token, a blacklisted account, a fee taken on top of the amount, or the payer's own code refusing it)",
  outOfBudget:
    "the token's transfer needs more gas than a batch gives each charge (the token calls back into the payer's code?)",
  onChain:
    "the charge fails when sent on its own although its simulation passes (the token behaves differently in a real transaction)",
} as const;

/**
 * Gas for the simulated direct `charge()` that says why a subscription fails alone: five times the budget
 * `chargeMany` gives a charge (`SubscriptionFactory.CHARGE_GAS`, 200,000), so a charge that merely needs more than
 * the budget still succeeds here, while a payer's hook that burns whatever it gets stops at this much.
 */
const EXPLAIN_GAS = 1_000_000n;

/** A subscription the chain charged, as the batch event reports it. */
interface Charged {
  charge: ObservedCharge;
  state: OnChainState;
}

/** What charging a batch found: who was charged, and who failed on their own, with why. */
interface BatchOutcome {
  charged: Map<Address, Charged>;
  failed: Map<Address, string>;
}

/**
 * Charges what is due on one chain. Each step claims due subscriptions (`FOR UPDATE SKIP LOCKED` and a lease, so
 * workers never hold the same one), simulates `chargeMany` for them from each merchant's gas wallet, sends the
 * chargeable ones in batches, and records each outcome: succeeded charges from the receipt; failures on a retry
 * ladder with the subscription `Suspended` until a charge succeeds, or, when the plan's grace period runs out, a
 * cancellation sent as operator. A batch that fails as a whole is split and tried again, never blamed on its
 * members: only a subscription that fails on its own is recorded as failed. Due times are the chain's clock, not
 * the machine's.
 */
export class Keeper implements WorkerTask {
  readonly name: string;
  readonly #owner = randomUUID();

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly senders: ReadonlyMap<Address, TransactionSender>,
    readonly options: KeeperOptions,
  ) {
    this.name = `keeper:${chain.config.name}`;
  }

  async step(): Promise<boolean> {
    const chainNow = new Date((await this.chain.now()) * 1000);
    const claimed = await this.#claim(chainNow);
    if (claimed.length === 0) return false;
    const byOperator = new Map<Address, SubscriptionRow[]>();
    for (const row of claimed) {
      const group = byOperator.get(row.operator) ?? [];
      group.push(row);
      byOperator.set(row.operator, group);
    }
    const batches: { sender: TransactionSender; rows: SubscriptionRow[] }[] = [];
    for (const [operator, rows] of byOperator) {
      const sender = this.senders.get(operator);
      if (!sender) continue;
      for (let i = 0; i < rows.length; i += this.options.batchSize) {
        batches.push({ sender, rows: rows.slice(i, i + this.options.batchSize) });
      }
    }
    try {
      // batches go out together: their nonces are handed out in order, their receipts awaited side by side
      const results = await Promise.allSettled(
        batches.map((batch) => this.#chargeBatch(batch.sender, batch.rows, chainNow)),
      );
      const failed = results.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
    } finally {
      await this.services.db
        .update(subscriptions)
        .set({ leaseUntil: null, leaseOwner: null })
        .where(
          and(
            inArray(
              subscriptions.contractAddress,
              claimed.map((row) => row.contractAddress),
            ),
            eq(subscriptions.leaseOwner, this.#owner),
          ),
        );
    }
    return claimed.length === this.options.claimSize;
  }

  async #claim(chainNow: Date): Promise<SubscriptionRow[]> {
    const now = this.services.now();
    const operators = [...this.senders.keys()];
    if (operators.length === 0) return [];
    return this.services.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.chainId, this.chain.config.chainId),
            inArray(subscriptions.status, ["Active", "Suspended"]),
            inArray(subscriptions.operator, operators),
            lte(subscriptions.nextChargeAt, chainNow),
            or(isNull(subscriptions.retryAt), lte(subscriptions.retryAt, chainNow)),
            or(isNull(subscriptions.leaseUntil), lte(subscriptions.leaseUntil, now)),
          ),
        )
        .orderBy(asc(subscriptions.nextChargeAt))
        .limit(this.options.claimSize)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return [];
      await tx
        .update(subscriptions)
        .set({ leaseUntil: new Date(now.getTime() + this.options.leaseSeconds * 1000), leaseOwner: this.#owner })
        .where(
          inArray(
            subscriptions.contractAddress,
            rows.map((row) => row.contractAddress),
          ),
        );
      return rows;
    });
  }

  async #chargeBatch(sender: TransactionSender, rows: SubscriptionRow[], chainNow: Date): Promise<void> {
    const addresses = rows.map((row) => row.contractAddress);
    const { charged: observed, failed } = await this.#chargeAll(sender, addresses);
    // for the rest, what the chain says now
    const states = await this.chain.states(addresses.filter((address) => !observed.has(address)));
    await this.services.db.transaction(async (tx) => {
      const routine: RoutineCharge[] = [];
      for (const row of rows) {
        const address = row.contractAddress;
        const charged = observed.get(address);
        if (charged && row.status === "Active" && row.dueSince === null && charged.state.status === "Active") {
          routine.push({ row, charge: charged.charge, nextDueAt: charged.state.nextDueAt });
          continue;
        }
        const [locked] = await tx
          .select()
          .from(subscriptions)
          .where(eq(subscriptions.contractAddress, address))
          .for("update");
        if (!locked) continue;
        const state: OnChainState | undefined = charged ? charged.state : states.get(address);
        const applied = await applyChainState(tx, this.services, locked, {
          state,
          charges: charged ? [charged.charge] : [],
        });
        const reason = failed.get(address);
        if (!charged && reason !== undefined) await this.#recordFailure(tx, applied, reason, chainNow);
      }
      await applyRoutineCharges(tx, this.services, routine);
    });
  }

  /**
   * Charges `addresses` through `chargeMany` and finds out which of those left uncharged failed on their own. A
   * batch that fails as a whole (its simulation or estimate reverts, or it reverts when mined) is the batch's
   * failure, not its members': it is split in halves and each half tried again, down to single subscriptions. A
   * member the batch did not charge although it simulated as chargeable is tried alone. Only a subscription whose
   * allowance or balance is short, or that fails when charged alone (in simulation, or when sent in a transaction
   * of its own), is counted as failed; any other is left for the next step.
   */
  async #chargeAll(sender: TransactionSender, addresses: readonly Address[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { charged: new Map(), failed: new Map() };
    /** Members sent in a transaction of their own (or whose own gas estimate failed) and still not charged. */
    const failedAlone = new Set<Address>();
    /** Members looked at and left as the chain has them (not due, paused, ...) for the next step. */
    const settled = new Set<Address>();
    /** Members that would be charged on their own, queued once to be sent alone. */
    const queuedAlone = new Set<Address>();
    const queue: Address[][] = [[...addresses]];
    while (queue.length > 0) {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const pending = batch.filter((address) => !outcome.charged.has(address));
        if (pending.length > 0) queue.push(...(await this.#attempt(sender, pending, outcome, failedAlone)));
      }
      // why the others were not charged: reasons of their own, or the batch's
      const unexplained = addresses.filter(
        (address) => !outcome.charged.has(address) && !outcome.failed.has(address) && !settled.has(address),
      );
      const reasons = await Promise.all(unexplained.map((address) => this.#reason(address)));
      const undecided: Address[] = [];
      for (const [i, address] of unexplained.entries()) {
        const reason = reasons[i];
        const words = reason === undefined ? undefined : FAILURE_WORDS[reason];
        if (words !== undefined) outcome.failed.set(address, words);
        // not due, paused, cancelled or finished: the chain's state says it all
        else if (reason !== undefined && reason !== "Ok") settled.add(address);
        else undecided.push(address);
      }
      // allowance and balance suffice: what decides is whether the subscription fails on its own
      const alone = await Promise.all(
        undecided.map((address) => (failedAlone.has(address) ? false : this.#chargesAlone(sender, address))),
      );
      const failing = undecided.filter((_, i) => !alone[i]);
      const explanations = await Promise.all(
        failing.map((address) => this.#explainFailure(sender, address, failedAlone.has(address))),
      );
      for (const [i, address] of failing.entries()) outcome.failed.set(address, explanations[i] ?? "");
      for (const address of undecided.filter((_, i) => alone[i])) {
        if (queuedAlone.has(address)) {
          settled.add(address);
        } else {
          // it would be charged on its own: send it once in a transaction of its own
          queuedAlone.add(address);
          queue.push([address]);
        }
      }
    }
    return outcome;
  }

  /**
   * Simulates `chargeMany(batch)` in the block about to be mined and sends it for those it would charge, recording
   * what the receipt reports in `outcome`. Returns the batches to try next: the halves of a batch that failed as a
   * whole, and alone each member the chain left uncharged although its simulation charged it.
   */
  async #attempt(
    sender: TransactionSender,
    batch: Address[],
    outcome: BatchOutcome,
    failedAlone: Set<Address>,
  ): Promise<Address[][]> {
    const factory = this.chain.config.factory;
    let simulated: readonly boolean[];
    try {
      // the block about to be mined is the one whose timestamp counts
      ({ result: simulated } = await this.chain.client.simulateContract({
        account: sender.address,
        address: factory,
        abi: subscriptionFactoryAbi,
        functionName: "chargeMany",
        args: [batch],
        blockTag: "pending",
      }));
    } catch (error) {
      if (isRetryable(error)) throw error;
      // no member makes `chargeMany` revert (each charge is caught): the batch as a whole could not run
      this.#warnWholeBatch(batch, "its simulation reverted", error);
      return batch.length > 1 ? halves(batch) : [];
    }
    const chargeable = batch.filter((_, i) => simulated[i]);
    if (chargeable.length === 0) return [];
    let receipt: TransactionReceipt | undefined;
    try {
      receipt = await sender.send({
        to: factory,
        data: encodeFunctionData({ abi: subscriptionFactoryAbi, functionName: "chargeMany", args: [chargeable] }),
        purpose: "charge",
        subscriptions: chargeable,
        // each subscription's state slot is read and written: declared up front, it is 200 gas cheaper per charge
        accessList: chargeable.map((address) => ({ address, storageKeys: [STATE_SLOT] })),
      });
    } catch (error) {
      // only a batch the node will not even estimate is the batch's failure; anything else ends the step
      if (!(error instanceof TransactionWouldFailError)) throw error;
      this.#warnWholeBatch(chargeable, "its gas estimate failed", error);
    }
    if (receipt?.status !== "success") {
      if (receipt) this.#warnWholeBatch(chargeable, `its transaction ${receipt.transactionHash} reverted`);
      if (chargeable.length > 1) return halves(chargeable);
      for (const address of chargeable) failedAlone.add(address);
      return [];
    }
    const block = await this.chain.client.getBlock({ blockNumber: receipt.blockNumber });
    const at = new Date(Number(block.timestamp) * 1000);
    // the batch reports every charge it made, with the new schedule, in one factory event
    const reported = parseEventLogs({
      abi: subscriptionFactoryAbi,
      logs: receipt.logs as Log[],
      eventName: "SubscriptionsCharged",
    }).flatMap((log) => (getAddress(log.address) === factory ? unpackBatchCharges(log.args.charges) : []));
    for (const { subscription, periodIndex, nextDueAt } of reported) {
      outcome.charged.set(subscription, {
        charge: { periodIndex, txHash: receipt.transactionHash, at },
        state: { status: nextDueAt === 0 ? "Finished" : "Active", periodsCharged: periodIndex, nextDueAt },
      });
    }
    const missed = chargeable.filter((address) => !outcome.charged.has(address));
    if (chargeable.length === 1) {
      for (const address of missed) failedAlone.add(address);
      return [];
    }
    return missed.map((address) => [address]);
  }

  /** `chargeable()` of `subscription`, or undefined when even that reverts (its token's views do, say). */
  async #reason(subscription: Address): Promise<ChargeReason | undefined> {
    try {
      return await this.chain.chargeable(subscription);
    } catch (error) {
      if (isRetryable(error)) throw error;
      return undefined;
    }
  }

  /** Whether `chargeMany([subscription])` would charge it, in the block about to be mined. */
  async #chargesAlone(sender: TransactionSender, subscription: Address): Promise<boolean> {
    try {
      const { result } = await this.chain.client.simulateContract({
        account: sender.address,
        address: this.chain.config.factory,
        abi: subscriptionFactoryAbi,
        functionName: "chargeMany",
        args: [[subscription]],
        blockTag: "pending",
      });
      return result[0] === true;
    } catch (error) {
      if (isRetryable(error)) throw error;
      return false;
    }
  }

  /**
   * Why `subscription`, whose allowance and balance suffice, fails when charged alone: what its own `charge()`
   * reverts with, in words. `onChain` says it was sent alone and the chain did not charge it.
   */
  async #explainFailure(sender: TransactionSender, subscription: Address, onChain: boolean): Promise<string> {
    try {
      await this.chain.client.simulateContract({
        account: sender.address,
        address: subscription,
        abi: subscriptionAbi,
        functionName: "charge",
        blockTag: "pending",
        // the payer's code may run in this call: never for the node's whole call gas limit
        gas: EXPLAIN_GAS,
      });
    } catch (error) {
      if (isRetryable(error)) throw error;
      const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
      const name = revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
      if (name === "TransferFailed") return REFUSED_WORDS.TransferFailed;
      if (name === "InsufficientAllowance") return FAILURE_WORDS.AllowanceTooLow ?? name;
      if (name === "InsufficientBalance") return FAILURE_WORDS.BalanceTooLow ?? name;
      return `the charge reverts: ${revertReason(error)}`;
    }
    // with all the gas it wants it charges, yet not within a batch's budget (or not when mined)
    return onChain ? REFUSED_WORDS.onChain : REFUSED_WORDS.outOfBudget;
  }

  #warnWholeBatch(batch: readonly Address[], what: string, error?: unknown): void {
    this.options.log?.warn(
      { chain: this.chain.config.name, subscriptions: batch.length, err: error },
      `a chargeMany batch failed as a whole (${what}): ${batch.length > 1 ? "trying its halves" : "its one subscription is looked at on its own"}`,
    );
  }

  /**
   * A due period could not be charged: retry on the ladder with the subscription `Suspended`, or, once the plan's
   * grace period since the period fell due is over, give up and ask for its cancellation.
   */
  async #recordFailure(tx: Queryable, row: SubscriptionRow, reason: string, chainNow: Date): Promise<void> {
    const now = this.services.now();
    const dueSince = row.dueSince ?? row.nextChargeAt ?? chainNow;
    const attempts = row.chargeAttempts + 1;
    const graceEnds = new Date(dueSince.getTime() + row.gracePeriodSeconds * 1000);
    const givingUp = chainNow >= graceEnds;
    const ladder = this.options.retryLadder;
    const step = ladder[Math.min(attempts - 1, ladder.length - 1)] ?? 3_600;
    const retryAt = givingUp ? null : new Date(Math.min(chainNow.getTime() + step * 1000, graceEnds.getTime()));
    const [charge] = await upsertCharges(tx, now, [
      {
        subscription: row,
        periodIndex: row.periodsCharged + 1,
        values: {
          status: givingUp ? "Failed" : "Retrying",
          attempts,
          failureReason: reason,
          nextRetryAt: retryAt,
          chargeDate: dueSince,
        },
      },
    ]);
    if (!charge) throw new Error("charge write returned nothing");
    const token = this.services.config.chains.token(row.tokenCode)?.token;
    await recordEvent(tx, {
      merchantId: row.merchantId,
      eventType: givingUp ? "ChargeFailed" : "ChargeRetrying",
      payload: {
        charge: toChargeResource(charge, row.tokenCode, this.services.config.chains),
        reason,
        attempts,
        nextRetryAt: retryAt?.toISOString() ?? null,
        ...(token ? { amount: formatMoney(row.amount, token) } : {}),
      },
      at: now,
    });
    // suspended while retried; once the grace period is over, its cancellation is asked for
    await updateSubscription(tx, this.services, row, {
      event: givingUp ? "graceExpired" : "chargeFailed",
      set: {
        statusReason: givingUp ? `grace period over: ${reason}` : reason,
        dueSince,
        chargeAttempts: attempts,
        retryAt,
      },
    });
  }
}

/** `batch` in two halves, the first one the larger. */
function halves(batch: readonly Address[]): Address[][] {
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)].filter((half) => half.length > 0);
}
