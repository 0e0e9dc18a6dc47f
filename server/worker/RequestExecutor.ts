import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import {
  type Address,
  BaseError,
  type Chain,
  type ContractFunctionArgs,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Hex,
  parseEventLogs,
  type SimulateContractParameters,
} from "viem";
import { subscriptionAbi, subscriptionFactoryAbi } from "../../generated/abis.js";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { isRetryable } from "../chain/classifyError.js";
import type { SubscriptionTerms } from "../chain/predictSubscriptionAddress.js";
import { revertReason } from "../chain/revertReason.js";
import type { Queryable } from "../db/openDatabase.js";
import { subscriptionRequests, subscriptions } from "../db/schema.js";
import { formatMoney } from "../domain/money.js";
import type { Services } from "../domain/Services.js";
import { termsOf } from "../domain/subscriptions.js";
import { updateSubscription } from "../domain/updateSubscription.js";
import type { PermitSignature } from "../schemas/subscriptions.js";
import { applyChainState } from "./applyChainState.js";
import type { GasWalletSenders } from "./GasWalletSenders.js";
import type { WorkerTask } from "./runLoop.js";

type RequestRow = typeof subscriptionRequests.$inferSelect;

/** The factory's ABI with the subscription's errors, which an activation's first charge may revert with. */
const ACTIVATION_ABI = [...subscriptionFactoryAbi, ...subscriptionAbi.filter((item) => item.type === "error")] as const;
type SubscriptionRow = typeof subscriptions.$inferSelect;

type ActivationFunction = ReturnType<typeof activationCall>["functionName"];

/**
 * The factory call that activates `terms`: `activate`, or the one that takes the payer's permit first, by its kind
 * (a permit stored before kinds existed has none: it is EIP-2612's). The API's permit schema checked every field
 * (decimal integers, 0x-prefixed hex of the right length) before it was stored.
 */
function activationCall(terms: SubscriptionTerms, permit: PermitSignature | null) {
  if (!permit) return { functionName: "activate", args: [terms] } as const;
  switch (permit.kind) {
    case undefined:
    case "eip2612":
      return {
        functionName: "activateWithPermit",
        args: [terms, BigInt(permit.value), BigInt(permit.deadline), permit.v, permit.r as Hex, permit.s as Hex],
      } as const;
    case "eip2612-bytes":
      return {
        functionName: "activateWithPermitSignature",
        args: [terms, BigInt(permit.value), BigInt(permit.deadline), permit.signature as Hex],
      } as const;
    case "dai":
      return {
        functionName: "activateWithDaiPermit",
        args: [terms, BigInt(permit.nonce), BigInt(permit.expiry), permit.v, permit.r as Hex, permit.s as Hex],
      } as const;
  }
}

/**
 * Carries out what the API asked for on one chain: activations (after simulating them, so a draft whose allowance
 * or balance is short stays a draft with the reason recorded and no gas is spent) and the merchant's pause,
 * unpause and cancel, sent by its gas wallet as operator. Each request is claimed with `FOR UPDATE SKIP LOCKED`
 * and a lease, so any number of workers share the work; every path is idempotent (the address is deterministic).
 */
export class RequestExecutor implements WorkerTask {
  readonly name: string;
  readonly #owner = randomUUID();

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    /** The senders of this chain, by gas wallet (operator) address. */
    readonly wallets: Pick<GasWalletSenders, "sender">,
    /** How long a worker holds a request it claimed before another may take it over, seconds (`RECUR_LEASE`). */
    readonly leaseSeconds: number,
  ) {
    this.name = `requests:${chain.config.name}`;
  }

  async step(): Promise<boolean> {
    const claimed = await this.#claim(10);
    let failure: unknown;
    for (const { request, subscription } of claimed) {
      try {
        await this.#carryOut(request, subscription);
      } catch (error) {
        // given back to be retried after a pause, while the others claimed with it go ahead
        await this.#release(request, error);
        failure ??= error;
      }
    }
    // the loop logs it and backs off
    if (failure !== undefined) throw failure;
    return claimed.length > 0;
  }

  async #claim(limit: number): Promise<{ request: RequestRow; subscription: SubscriptionRow }[]> {
    const now = this.services.now();
    return this.services.db.transaction(async (tx) => {
      const rows = await tx
        .select({ request: subscriptionRequests, subscription: subscriptions })
        .from(subscriptionRequests)
        .innerJoin(subscriptions, eq(subscriptions.contractAddress, subscriptionRequests.contractAddress))
        .where(
          and(
            eq(subscriptionRequests.status, "Pending"),
            eq(subscriptions.chainId, this.chain.config.chainId),
            or(isNull(subscriptionRequests.leaseUntil), lt(subscriptionRequests.leaseUntil, now)),
          ),
        )
        .orderBy(asc(subscriptionRequests.createdAt))
        .limit(limit)
        .for("update", { of: subscriptionRequests, skipLocked: true });
      if (rows.length === 0) return [];
      await tx
        .update(subscriptionRequests)
        .set({
          leaseUntil: new Date(now.getTime() + this.leaseSeconds * 1000),
          leaseOwner: this.#owner,
          attempts: sql`${subscriptionRequests.attempts} + 1`,
        })
        .where(
          inArray(
            subscriptionRequests.id,
            rows.map((row) => row.request.id),
          ),
        );
      return rows;
    });
  }

  async #carryOut(request: RequestRow, subscription: SubscriptionRow): Promise<void> {
    const address = subscription.contractAddress;
    const [state] = (await this.chain.states([address])).values();
    if (request.action === "activate") {
      if (state && state.status !== "None") return this.#settle(request, subscription, undefined);
      return this.#activate(request, subscription);
    }
    if (!state || state.status === "None") {
      // not on chain yet: wait for the activation to land first
      return this.#release(request, undefined);
    }
    const sender = await this.wallets.sender(subscription.operator);
    if (!sender)
      return this.#fail(request, subscription, "no gas wallet key is loaded for this merchant on this chain");
    const action = request.action;
    const data = encodeFunctionData({ abi: subscriptionAbi, functionName: action });
    try {
      await this.chain.client.simulateContract({
        account: sender.address,
        address,
        abi: subscriptionAbi,
        functionName: action,
      });
    } catch (error) {
      if (isRetryable(error)) throw error;
      // the chain refuses (already paused, a payer's pause the operator may not lift...): say why
      return this.#fail(request, subscription, revertReason(error));
    }
    const receipt = await sender.send({ to: address, data, purpose: request.action, subscriptions: [address] });
    await this.#settle(request, subscription, receipt.transactionHash);
  }

  async #activate(request: RequestRow, subscription: SubscriptionRow): Promise<void> {
    const sender = await this.wallets.sender(subscription.operator);
    if (!sender)
      return this.#fail(request, subscription, "no gas wallet key is loaded for this merchant on this chain");
    const call = activationCall(termsOf(subscription), request.params as PermitSignature | null);
    const factory = this.chain.config.factory;
    let data: Hex;
    try {
      data = encodeFunctionData({ abi: ACTIVATION_ABI, ...call });
      // viem types a call by one function name; the parameters of any of the four are parameters of the ABI's
      const simulation: SimulateContractParameters<
        typeof ACTIVATION_ABI,
        ActivationFunction,
        ContractFunctionArgs<typeof ACTIVATION_ABI, "nonpayable", ActivationFunction>,
        Chain,
        undefined,
        Address
      > = {
        account: sender.address,
        address: factory,
        abi: ACTIVATION_ABI,
        ...call,
      };
      await this.chain.client.simulateContract(simulation);
    } catch (error) {
      if (isRetryable(error)) throw error;
      return this.#backToDraft(request, await this.#explainRefusal(subscription, error));
    }
    const receipt = await sender.send({
      to: factory,
      data,
      purpose: "activate",
      subscriptions: [subscription.contractAddress],
    });
    if (receipt.status !== "success") {
      return this.#backToDraft(request, "the activation transaction reverted");
    }
    await this.#settle(request, subscription, receipt.transactionHash, receipt);
  }

  /** Why the chain refused an activation, in words a merchant (and its payer) can act on. */
  async #explainRefusal(subscription: SubscriptionRow, error: unknown): Promise<string> {
    const found = this.services.config.chains.token(subscription.tokenCode);
    const reason = revertReason(error);
    if (!found) return reason;
    const money = (amount: bigint) => formatMoney(amount, found.token);
    const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    const name = revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
    if (name === "InsufficientAllowance" || name === "InsufficientBalance") {
      const { allowance, balance } = await this.chain.funds(
        subscription.tokenAddress,
        subscription.payer,
        subscription.contractAddress,
      );
      return name === "InsufficientAllowance"
        ? `the payer has approved ${money(allowance)} for the subscription's address, less than ${money(subscription.amount)}`
        : `the payer holds ${money(balance)}, less than ${money(subscription.amount)}`;
    }
    return reason;
  }

  /** The request is carried out: record the chain's new state (and the first charge, if any). */
  async #settle(
    request: RequestRow,
    subscription: SubscriptionRow,
    txHash: Hex | undefined,
    receipt?: { logs: Parameters<typeof parseEventLogs>[0]["logs"]; blockNumber: bigint; transactionHash: Hex },
  ): Promise<void> {
    const address = subscription.contractAddress;
    const [state] = (await this.chain.states([address])).values();
    const charges = receipt
      ? await Promise.all(
          parseEventLogs({ abi: subscriptionAbi, logs: receipt.logs, eventName: "SubscriptionCharged" }).map(
            async (log) => ({
              periodIndex: Number(log.args.periodIndex),
              txHash: log.transactionHash ?? receipt.transactionHash,
              at: new Date(
                Number((await this.chain.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp) * 1000,
              ),
            }),
          ),
        )
      : [];
    await this.services.db.transaction(async (tx) => {
      const row = await this.#close(tx, request, { status: "Done", txHash: txHash ?? null });
      if (row) await applyChainState(tx, this.services, row, { state, charges });
    });
  }

  /** An activation the chain refuses: the subscription stays a draft, with the reason, until asked again. */
  async #backToDraft(request: RequestRow, reason: string): Promise<void> {
    await this.services.db.transaction(async (tx) => {
      const row = await this.#close(tx, request, { status: "Failed", lastError: reason });
      if (row) await updateSubscription(tx, this.services, row, { event: "activationRefused", reason });
    });
  }

  /** A pause, unpause or cancel the chain refuses: the subscription returns to what the chain says, with why. */
  async #fail(request: RequestRow, subscription: SubscriptionRow, reason: string): Promise<void> {
    const [state] = (await this.chain.states([subscription.contractAddress])).values();
    await this.services.db.transaction(async (tx) => {
      const row = await this.#close(tx, request, { status: "Failed", lastError: reason });
      if (!row) return;
      const applied = await applyChainState(tx, this.services, row, { state });
      await updateSubscription(tx, this.services, applied, {
        set: { statusReason: `${request.action} failed: ${reason}` },
      });
    });
  }

  /** Closes a claimed request, done or failed, and returns its subscription locked for update. */
  async #close(
    tx: Queryable,
    request: RequestRow,
    outcome: { status: "Done"; txHash: Hex | null } | { status: "Failed"; lastError: string },
  ): Promise<SubscriptionRow | undefined> {
    await tx
      .update(subscriptionRequests)
      .set({ ...outcome, leaseUntil: null, updatedAt: this.services.now() })
      .where(eq(subscriptionRequests.id, request.id));
    const [row] = await tx
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.contractAddress, request.contractAddress))
      .for("update");
    return row;
  }

  /** Gives a claimed request back (to retry later), noting what went wrong. */
  async #release(request: RequestRow, error: unknown): Promise<void> {
    await this.services.db
      .update(subscriptionRequests)
      .set({
        leaseUntil: error ? new Date(this.services.now().getTime() + 5_000) : null,
        lastError: error instanceof Error ? error.message.slice(0, 500) : null,
        updatedAt: this.services.now(),
      })
      .where(eq(subscriptionRequests.id, request.id));
  }
}
