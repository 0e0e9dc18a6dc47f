import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import { type Address, encodeFunctionData, getAddress, type Log, parseEventLogs, toHex } from "viem";
import { subscriptionFactoryAbi } from "../../generated/abis.js";
import { unpackBatchCharges } from "../chain/batchCharges.js";
import type { ChainAccess, ChargeReason, OnChainState } from "../chain/ChainAccess.js";
import type { Queryable } from "../db/openDatabase.js";
import { charges, subscriptionRequests, subscriptions } from "../db/schema.js";
import { formatMoney } from "../domain/money.js";
import { newId } from "../domain/newId.js";
import { recordEvent } from "../domain/recordEvent.js";
import { toChargeResource, toSubscriptionResource } from "../domain/resources.js";
import type { Services } from "../domain/Services.js";
import { applyChainState, applyRoutineCharges, type ObservedCharge, type RoutineCharge } from "./applyChainState.js";
import type { WorkerTask } from "./runLoop.js";
import type { TransactionSender } from "./TransactionSender.js";

type SubscriptionRow = typeof subscriptions.$inferSelect;

export interface KeeperOptions {
  /** Subscriptions claimed per step. */
  claimSize: number;
  /** Subscriptions per `chargeMany` transaction. */
  batchSize: number;
  /** Seconds between failed attempts: the first retry after the first rung, and so on; the last one repeats. */
  retryLadder: readonly number[];
  /** How long a claim holds, seconds. */
  leaseSeconds: number;
}

export const DEFAULT_RETRY_LADDER = [3_600, 21_600, 86_400, 259_200] as const;

/** Charge failures a payer can fix, in words for the merchant. */
/** `Subscription._packedState`, the one storage slot a charge reads and writes in the subscription itself. */
const STATE_SLOT = toHex(0n, { size: 32 });

const FAILURE_WORDS: Partial<Record<ChargeReason, string>> = {
  AllowanceTooLow: "the payer's allowance for the subscription is below one period",
  BalanceTooLow: "the payer's balance is below one period",
  Ok: "the token refused the transfer (a paused token or a blacklisted account)",
};

/**
 * Charges what is due on one chain. Each step claims due subscriptions (`FOR UPDATE SKIP LOCKED` and a lease, so
 * workers never hold the same one), simulates `chargeMany` for them from each merchant's gas wallet, sends the
 * chargeable ones in batches, and records each outcome: succeeded charges from the receipt; failures on a retry
 * ladder with the subscription `Suspended` until a charge succeeds, or, when the plan's grace period runs out, a
 * cancellation sent as operator. Due times are the chain's clock, not the machine's.
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
      const group = byOperator.get(row.operator as Address) ?? [];
      group.push(row);
      byOperator.set(row.operator as Address, group);
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
    const factory = this.chain.config.factory;
    const addresses = rows.map((row) => row.contractAddress as Address);
    // simulated in the block about to be mined, whose timestamp is the one that counts
    const { result } = await this.chain.client.simulateContract({
      account: sender.address,
      address: factory,
      abi: subscriptionFactoryAbi,
      functionName: "chargeMany",
      args: [addresses],
      blockTag: "pending",
    });
    const chargeable = addresses.filter((_, i) => result[i]);
    const observed = new Map<string, { charge: ObservedCharge; state: OnChainState }>();
    if (chargeable.length > 0) {
      const receipt = await sender.send({
        to: factory,
        data: encodeFunctionData({ abi: subscriptionFactoryAbi, functionName: "chargeMany", args: [chargeable] }),
        purpose: "charge",
        subscriptions: chargeable,
        // each subscription's state slot is read and written: declared up front, it is 200 gas cheaper per charge
        accessList: chargeable.map((address) => ({ address, storageKeys: [STATE_SLOT] })),
      });
      const block = await this.chain.client.getBlock({ blockNumber: receipt.blockNumber });
      const at = new Date(Number(block.timestamp) * 1000);
      // the batch reports every charge it made, with the new schedule, in one factory event
      const reported = parseEventLogs({
        abi: subscriptionFactoryAbi,
        logs: receipt.logs as Log[],
        eventName: "SubscriptionsCharged",
      }).flatMap((log) => (getAddress(log.address) === factory ? unpackBatchCharges(log.args.charges) : []));
      for (const { subscription, periodIndex, nextDueAt } of reported) {
        observed.set(subscription, {
          charge: { periodIndex, txHash: receipt.transactionHash, at },
          state: { status: nextDueAt === 0 ? "Finished" : "Active", periodsCharged: periodIndex, nextDueAt },
        });
      }
    }
    // for the rest, what the chain says and why they were not charged
    const uncharged = addresses.filter((address) => !observed.has(address));
    const [states, reasons] = await Promise.all([
      this.chain.states(uncharged),
      Promise.all(uncharged.map(async (address) => [address, await this.chain.chargeable(address)] as const)).then(
        (entries) => new Map(entries),
      ),
    ]);
    await this.services.db.transaction(async (tx) => {
      const routine: RoutineCharge[] = [];
      for (const row of rows) {
        const address = row.contractAddress as Address;
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
        const reason = reasons.get(address);
        if (!charged && reason !== undefined && reason in FAILURE_WORDS) {
          await this.#recordFailure(tx, applied, FAILURE_WORDS[reason] ?? reason, chainNow);
        }
      }
      await applyRoutineCharges(tx, this.services, routine);
    });
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
    const periodIndex = row.periodsCharged + 1;
    const [existing] = await tx
      .select()
      .from(charges)
      .where(and(eq(charges.contractAddress, row.contractAddress), eq(charges.periodIndex, periodIndex)));
    const givingUp = chainNow >= graceEnds;
    const ladder = this.options.retryLadder;
    const step = ladder[Math.min(attempts - 1, ladder.length - 1)] ?? 3_600;
    const retryAt = givingUp ? null : new Date(Math.min(chainNow.getTime() + step * 1000, graceEnds.getTime()));
    const values = {
      status: givingUp ? ("Failed" as const) : ("Retrying" as const),
      attempts,
      failureReason: reason,
      nextRetryAt: retryAt,
      chargeDate: dueSince,
      updatedAt: now,
    };
    const [charge] = existing
      ? await tx.update(charges).set(values).where(eq(charges.id, existing.id)).returning()
      : await tx
          .insert(charges)
          .values({
            id: newId("chg", 20),
            contractAddress: row.contractAddress,
            merchantId: row.merchantId,
            periodIndex,
            amount: row.amount,
            createdAt: now,
            ...values,
          })
          .returning();
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
    let status = row.status;
    if (givingUp) {
      await tx.insert(subscriptionRequests).values({
        id: randomUUID(),
        contractAddress: row.contractAddress,
        action: "cancel",
        createdAt: now,
        updatedAt: now,
      });
      status = "PendingCancel";
    } else if (row.status === "Active") {
      status = "Suspended";
    }
    const [updated] = await tx
      .update(subscriptions)
      .set({
        status,
        statusReason: givingUp ? `grace period over: ${reason}` : reason,
        dueSince,
        chargeAttempts: attempts,
        retryAt,
        updatedAt: now,
      })
      .where(eq(subscriptions.contractAddress, row.contractAddress))
      .returning();
    if (updated && status !== row.status) {
      await recordEvent(tx, {
        merchantId: row.merchantId,
        eventType: "SubscriptionStatusChanged",
        payload: { subscription: toSubscriptionResource(updated, this.services.config.chains) },
        at: now,
      });
    }
  }
}
