import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, gte, lt, max, type SQL } from "drizzle-orm";
import {
  type AccessList,
  type Address,
  type Hex,
  keccak256,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { isRetryable } from "../chain/classifyError.js";
import { NonRetryableError } from "../chain/NonRetryableError.js";
import { RetryableError } from "../chain/RetryableError.js";
import { chainTransactions, gasWallets } from "../db/schema.js";
import type { Services } from "../domain/Services.js";

/** What to send. */
export interface SendRequest {
  to: Address;
  data: Hex;
  /** `activate`, `charge`, `pause`, `unpause` or `cancel`, for the journal. */
  purpose: string;
  /** The subscriptions it concerns, for the journal. */
  subscriptions: Address[];
  /** Accounts and storage slots the transaction touches (EIP-2930), when declaring them saves gas. */
  accessList?: AccessList;
}

/**
 * The node refuses to estimate the transaction because it would revert (or could not fit any gas limit): nothing was
 * signed or journalled and no nonce was used. Sending it again unchanged gives the same answer.
 */
export class TransactionWouldFailError extends NonRetryableError {
  override name = "TransactionWouldFailError";
}

/** The network asks more than the configured cap: wait rather than overpay. Worth retrying later. */
export class GasPriceTooHighError extends RetryableError {
  override name = "GasPriceTooHighError";
}

/**
 * The transaction was journalled and broadcast but no receipt came within the wait: it stays `Sent`, and the journal
 * settles it later ({@link TransactionSender.resumeJournal}). Worth retrying later.
 */
export class TransactionNotMinedError extends RetryableError {
  override name = "TransactionNotMinedError";
}

/**
 * Sends transactions from one gas wallet on one chain. Every transaction is signed, journalled in the database
 * with its nonce, then broadcast and awaited; after a crash the journal lets any worker rebroadcast or settle it,
 * and the next nonce comes from the journal and the chain together, so a restart never reuses or skips one.
 */
export class TransactionSender {
  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly account: PrivateKeyAccount,
    readonly options: { maxFeePerGas?: bigint | undefined; receiptTimeoutMs?: number } = {},
  ) {}

  get address(): Address {
    return this.account.address;
  }

  /**
   * Estimates, signs, journals, broadcasts and waits for `request`; returns its receipt (which may be a revert: the
   * journal marks it `Reverted`, and its nonce is used like any mined transaction's). Throws
   * {@link TransactionWouldFailError} when the estimate says it would fail, before anything is signed.
   */
  async send(request: SendRequest): Promise<TransactionReceipt> {
    const { client } = this.chain;
    // first what this wallet sent before and the node lost: the estimate below runs after it
    await this.#rebroadcastMissing();
    const estimate = await client
      .estimateGas({ account: this.account, to: request.to, data: request.data, accessList: request.accessList })
      .catch((error: unknown) => {
        if (isRetryable(error)) throw error;
        throw new TransactionWouldFailError(`the node says this ${request.purpose} transaction would fail`, {
          cause: error,
        });
      });
    const gas = (estimate * 12n) / 10n + 10_000n;
    const fees = await client.estimateFeesPerGas();
    const cap = this.options.maxFeePerGas;
    if (cap !== undefined && fees.maxFeePerGas > cap) {
      throw new GasPriceTooHighError(
        `gas on ${this.chain.config.name} costs ${fees.maxFeePerGas} wei, above the cap of ${cap}: waiting`,
      );
    }
    const { hash, raw } = await this.#signWithNextNonce(request, {
      gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    await this.#broadcast(hash, raw);
    return this.#settle(hash, raw);
  }

  /**
   * Sends again the journalled transactions the node does not know (a nonce at or above its pending count): a
   * broadcast whose answer was lost may never have arrived, and no later nonce can be mined before it. One the node
   * refuses for good (underpriced by now, or stuck behind such a one) is dropped, so its nonce goes to the next
   * transaction; its work is retried by whoever asked for it.
   */
  async #rebroadcastMissing(): Promise<void> {
    const pending = await this.chain.client.getTransactionCount({ address: this.address, blockTag: "pending" });
    const missing = await this.#stillSent(gte(chainTransactions.nonce, pending));
    for (const { hash, raw } of missing) {
      try {
        await this.chain.client.sendRawTransaction({ serializedTransaction: raw });
      } catch (error) {
        // a network failure decides nothing: try again with the next transaction
        if (isRetryable(error)) throw error;
        // mined since the count was read ("nonce too low"): the journal records it when it settles
        if (await this.#known(hash)) continue;
        await this.#mark(hash, "Dropped");
      }
    }
  }

  async #signWithNextNonce(
    request: SendRequest,
    fees: { gas: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<{ hash: Hex; raw: Hex }> {
    const chainId = this.chain.config.chainId;
    const pending = await this.chain.client.getTransactionCount({ address: this.address, blockTag: "pending" });
    return this.services.db.transaction(async (tx) => {
      await tx.insert(gasWallets).values({ chainId, address: this.address, nextNonce: pending }).onConflictDoNothing();
      // one sender at a time per wallet, across processes
      await tx
        .select()
        .from(gasWallets)
        .where(and(eq(gasWallets.chainId, chainId), eq(gasWallets.address, this.address)))
        .for("update");
      const [journal] = await tx
        .select({ highest: max(chainTransactions.nonce) })
        .from(chainTransactions)
        .where(
          and(
            eq(chainTransactions.chainId, chainId),
            eq(chainTransactions.sender, this.address),
            eq(chainTransactions.status, "Sent"),
          ),
        );
      const nonce = Math.max(pending, (journal?.highest ?? -1) + 1);
      const raw = await this.account.signTransaction({
        chainId,
        type: "eip1559",
        to: request.to,
        data: request.data,
        accessList: request.accessList,
        nonce,
        ...fees,
      });
      const hash = keccak256(raw);
      // the same transaction signed again (same nonce, data and fees) after it was dropped has the same hash
      await tx
        .insert(chainTransactions)
        .values({
          hash,
          chainId,
          sender: this.address,
          nonce,
          purpose: request.purpose,
          subscriptions: request.subscriptions,
          raw,
          status: "Sent",
          createdAt: this.services.now(),
          updatedAt: this.services.now(),
        })
        .onConflictDoUpdate({
          target: chainTransactions.hash,
          set: {
            status: "Sent",
            purpose: request.purpose,
            subscriptions: request.subscriptions,
            updatedAt: this.services.now(),
          },
        });
      await tx
        .update(gasWallets)
        .set({ nextNonce: nonce + 1 })
        .where(and(eq(gasWallets.chainId, chainId), eq(gasWallets.address, this.address)));
      return { hash, raw };
    });
  }

  async #broadcast(hash: Hex, raw: Hex): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.chain.client.sendRawTransaction({ serializedTransaction: raw });
        return;
      } catch (error) {
        // the node may already have it (a retry after a lost answer): that is a success
        if (await this.#known(hash)) return;
        if (isRetryable(error) && attempt < 5) {
          await sleep(200 * attempt);
          continue;
        }
        if (!isRetryable(error)) {
          // never broadcast: free its nonce for the next transaction
          await this.#mark(hash, "Dropped");
        }
        throw error;
      }
    }
  }

  async #known(hash: Hex): Promise<boolean> {
    try {
      await this.chain.client.getTransaction({ hash });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Polls for the receipt (a failed poll is only retried), sending the raw transaction again whenever a while passes
   * without one, in case the node lost it; records the outcome in the journal. Gives up after `receiptTimeoutMs`,
   * leaving the transaction `Sent` for {@link resumeJournal} to settle later.
   */
  async #settle(hash: Hex, raw: Hex): Promise<TransactionReceipt> {
    const { client } = this.chain;
    const timeout = this.options.receiptTimeoutMs ?? 120_000;
    const resendEvery = Math.min(15_000, timeout / 4);
    const started = Date.now();
    let resentAt = started;
    for (;;) {
      const receipt = await client.getTransactionReceipt({ hash }).catch((error: unknown) => {
        if (error instanceof TransactionReceiptNotFoundError || isRetryable(error)) return undefined;
        throw error;
      });
      if (receipt) {
        await this.#recordReceipt(hash, receipt);
        return receipt;
      }
      const now = Date.now();
      if (now - started > timeout) {
        throw new TransactionNotMinedError(
          `transaction ${hash} was not mined within ${timeout / 1000} s; the journal will follow it up`,
        );
      }
      if (now - resentAt > resendEvery) {
        resentAt = now;
        await client.sendRawTransaction({ serializedTransaction: raw }).catch(() => {});
      }
      await sleep(client.pollingInterval);
    }
  }

  /** This wallet's journalled transactions on this chain still `Sent` that match `condition`, lowest nonce first. */
  #stillSent(condition: SQL) {
    return this.services.db
      .select()
      .from(chainTransactions)
      .where(
        and(
          eq(chainTransactions.chainId, this.chain.config.chainId),
          eq(chainTransactions.sender, this.address),
          eq(chainTransactions.status, "Sent"),
          condition,
        ),
      )
      .orderBy(chainTransactions.nonce);
  }

  /** Journals what the chain says became of a transaction: mined, or reverted when mined. */
  async #recordReceipt(hash: Hex, receipt: TransactionReceipt): Promise<void> {
    await this.services.db
      .update(chainTransactions)
      .set({
        status: receipt.status === "success" ? "Mined" : "Reverted",
        blockNumber: Number(receipt.blockNumber),
        gasUsed: receipt.gasUsed,
        updatedAt: this.services.now(),
      })
      .where(eq(chainTransactions.hash, hash));
  }

  async #mark(hash: Hex, status: "Dropped"): Promise<void> {
    await this.services.db
      .update(chainTransactions)
      .set({ status, updatedAt: this.services.now() })
      .where(eq(chainTransactions.hash, hash));
  }

  /**
   * Settles journalled transactions this wallet sent more than `olderThanMs` ago and never saw mined (a worker
   * stopped while waiting): records their receipts, rebroadcasts the ones the chain has not seen, and drops the
   * ones whose nonce the chain has used for something else. Returns how many it looked at.
   */
  async resumeJournal(olderThanMs = 30_000): Promise<number> {
    const cutoff = new Date(this.services.now().getTime() - olderThanMs);
    const open = await this.#stillSent(lt(chainTransactions.updatedAt, cutoff));
    if (open.length === 0) return 0;
    const mined = await this.chain.client.getTransactionCount({ address: this.address, blockTag: "latest" });
    for (const row of open) {
      const receipt = await this.chain.client.getTransactionReceipt({ hash: row.hash }).catch(() => undefined);
      if (receipt) {
        await this.#recordReceipt(row.hash, receipt);
      } else if (row.nonce < mined) {
        await this.#mark(row.hash, "Dropped");
      } else {
        await this.chain.client.sendRawTransaction({ serializedTransaction: row.raw }).catch(() => {});
        await this.services.db
          .update(chainTransactions)
          .set({ updatedAt: this.services.now() })
          .where(eq(chainTransactions.hash, row.hash));
      }
    }
    return open.length;
  }
}
