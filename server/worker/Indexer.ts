import { randomUUID } from "node:crypto";
import { and, between, desc, eq, gt, inArray, isNotNull, lt, ne } from "drizzle-orm";
import {
  type Address,
  erc20Abi,
  getAddress,
  type Hex,
  type Log,
  parseEventLogs,
  TransactionReceiptNotFoundError,
} from "viem";
import { subscriptionAbi, subscriptionFactoryAbi } from "../../generated/abis.js";
import { unpackBatchCharges } from "../chain/batchCharges.js";
import type { ChainAccess } from "../chain/ChainAccess.js";
import type { Queryable } from "../db/openDatabase.js";
import { chainBlocks, chainCursors, chainEvents, chainTransactions, subscriptions } from "../db/schema.js";
import { reopenCharges } from "../domain/charges.js";
import type { Services } from "../domain/Services.js";
import { aheadOfChain } from "../domain/subscriptionStatus.js";
import { updateSubscription } from "../domain/updateSubscription.js";
import { applyChainState, type ChainObservation, type ObservedCharge } from "./applyChainState.js";
import { holdTaskLease } from "./holdTaskLease.js";
import { requestActivationOnApproval } from "./requestActivationOnApproval.js";
import type { WorkerTask } from "./runLoop.js";

const SUBSCRIPTION_EVENTS = [
  "SubscriptionCharged",
  "SubscriptionPaused",
  "SubscriptionUnpaused",
  "SubscriptionCancelled",
  "SubscriptionFinished",
] as const;

/** Block hashes kept to find a fork point; a reorganisation deeper than this restarts from the oldest kept. */
const KEPT_BLOCKS = 256;

/** One event about one subscription, where on the chain it was logged. */
interface SubscriptionEvent {
  subscription: Address;
  name: string;
  args: Record<string, unknown>;
  /** The charge's number, when the event reports a charge. */
  periodIndex?: number;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
}

type LogPosition = Pick<SubscriptionEvent, "blockNumber" | "blockHash" | "transactionHash" | "logIndex">;

/** Where a log sits; logs read from a range of blocks are mined, so a missing field is a broken node. */
function position(log: {
  blockNumber: bigint | null;
  blockHash: Hex | null;
  transactionHash: Hex | null;
  logIndex: number | null;
}): LogPosition {
  const { blockNumber, blockHash, transactionHash, logIndex } = log;
  if (blockNumber === null || blockHash === null || transactionHash === null || logIndex === null) {
    throw new Error(
      `the node returned a log without its block or transaction: ${JSON.stringify({ blockNumber, transactionHash })}`,
    );
  }
  return { blockNumber, blockHash, transactionHash, logIndex };
}

/**
 * Follows one chain, `confirmations` blocks behind its head, from a stored cursor: the factory's activations, every
 * subscription event, and token approvals to drafts (which ask for their activation). It keeps the events it read
 * and the hashes of the blocks it passed; when a block it passed is no longer on the chain (a reorganisation), it
 * forgets everything after the fork and re-reads the affected subscriptions from the chain, which is the truth.
 */
export class Indexer implements WorkerTask {
  readonly name: string;
  readonly #owner = randomUUID();

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly options: { maxRange?: number; startBlock?: number; leaseSeconds?: number } = {},
  ) {
    this.name = `indexer:${chain.config.name}`;
  }

  get #chainId() {
    return this.chain.config.chainId;
  }

  async step(): Promise<boolean> {
    // one indexer per chain at a time; the others stand by
    if (
      !(await holdTaskLease(
        this.services.db,
        this.name,
        this.#owner,
        this.services.now(),
        this.options.leaseSeconds ?? 30,
      ))
    ) {
      return false;
    }
    const { client } = this.chain;
    // the cursor's time is when this pass began reading the chain: whatever is written after that may come from
    // blocks beyond the ones it passes, and is read again by the next pass (see #changedSince)
    const started = this.services.now();
    const [cursor] = await this.services.db.select().from(chainCursors).where(eq(chainCursors.chainId, this.#chainId));
    if (cursor) {
      const onChain = await client.getBlock({ blockNumber: BigInt(cursor.blockNumber) }).catch(() => undefined);
      if (onChain?.hash !== cursor.blockHash) {
        await this.#rollback(cursor, started);
        return true;
      }
    }
    const safe = await this.chain.safeBlock();
    const from = cursor ? BigInt(cursor.blockNumber + 1) : BigInt(this.options.startBlock ?? 0);
    if (from > safe.number) return false;
    const to =
      from + BigInt((this.options.maxRange ?? 2_000) - 1) < safe.number
        ? from + BigInt((this.options.maxRange ?? 2_000) - 1)
        : safe.number;
    const toBlock = to === safe.number ? safe : await client.getBlock({ blockNumber: to });
    if (!toBlock.hash) throw new Error(`block ${to} has no hash`);

    const logs = await this.#readLogs(from, to);
    // what the worker recorded from its own receipts in these blocks, before this pass reached them, must still be
    // on the chain: a reorganisation may have replaced those blocks before the indexer saw them
    const lost = await this.#lostOwnTransactions(Number(from), Number(to));
    const named = new Set<Address>([...logs.events.map((event) => event.subscription), ...lost.subscriptions]);
    const addresses = [...new Set([...named, ...(cursor ? await this.#changedSince(cursor.updatedAt) : [])])];
    const known = addresses.length
      ? await this.services.db
          .select()
          .from(subscriptions)
          .where(and(eq(subscriptions.chainId, this.#chainId), inArray(subscriptions.contractAddress, addresses)))
      : [];
    const knownAddresses = new Set(known.map((row) => row.contractAddress));
    const relevant = logs.events.filter((event) => knownAddresses.has(event.subscription));
    const times = await this.#blockTimes(relevant.map((event) => event.blockNumber));
    const states = await this.chain.states(known.map((row) => row.contractAddress));

    await this.services.db.transaction(async (tx) => {
      await this.#forget(tx, lost.hashes);
      for (const event of relevant) {
        await tx
          .insert(chainEvents)
          .values({
            chainId: this.#chainId,
            blockNumber: Number(event.blockNumber),
            blockHash: event.blockHash,
            blockTime: times.get(event.blockNumber) ?? this.services.now(),
            txHash: event.transactionHash,
            logIndex: event.logIndex,
            contractAddress: event.subscription,
            name: event.name,
            args: JSON.parse(
              JSON.stringify(event.args, (_, value) => (typeof value === "bigint" ? value.toString() : value)),
            ),
          })
          .onConflictDoNothing();
      }
      // the charges each subscription's events report, grouped once (a batch log names many subscriptions)
      const chargesOf = new Map<Address, ObservedCharge[]>();
      for (const event of relevant) {
        if (event.periodIndex === undefined) continue;
        const list = chargesOf.get(event.subscription) ?? [];
        list.push({
          periodIndex: event.periodIndex,
          txHash: event.transactionHash,
          at: times.get(event.blockNumber) ?? this.services.now(),
        });
        chargesOf.set(event.subscription, list);
      }
      const undone = new Set<Address>(lost.subscriptions);
      for (const row of known) {
        const state = states.get(row.contractAddress);
        // one these blocks do not name is corrected only where the chain took back what the database holds
        if (!named.has(row.contractAddress) && !aheadOfChain(row, state)) continue;
        await this.#followChain(tx, row.contractAddress, {
          state,
          charges: chargesOf.get(row.contractAddress) ?? [],
          undone: undone.has(row.contractAddress),
        });
      }
      await this.#approvalsToDrafts(tx, logs.approvals);
      await tx
        .insert(chainBlocks)
        .values({ chainId: this.#chainId, number: Number(to), hash: toBlock.hash })
        .onConflictDoUpdate({ target: [chainBlocks.chainId, chainBlocks.number], set: { hash: toBlock.hash } });
      await tx
        .delete(chainBlocks)
        .where(and(eq(chainBlocks.chainId, this.#chainId), lt(chainBlocks.number, Number(to) - KEPT_BLOCKS)));
      await tx
        .insert(chainCursors)
        .values({
          chainId: this.#chainId,
          blockNumber: Number(to),
          blockHash: toBlock.hash,
          updatedAt: started,
        })
        .onConflictDoUpdate({
          target: chainCursors.chainId,
          set: { blockNumber: Number(to), blockHash: toBlock.hash, updatedAt: started },
        });
    });
    return to < safe.number;
  }

  /**
   * The chain's events about subscriptions in a block range, one entry per subscription: the factory's activations
   * and batch charges (one `SubscriptionsCharged` log names many) and each subscription's own events.
   */
  async #readLogs(fromBlock: bigint, toBlock: bigint) {
    const { client, config } = this.chain;
    const factoryLogs = await client.getContractEvents({
      address: config.factory,
      abi: subscriptionFactoryAbi,
      fromBlock,
      toBlock,
      strict: true,
    });
    // subscription events come from many addresses (every clone): filter by signature, keep the known ones
    const rawSubscriptionLogs = await client.getLogs({
      events: subscriptionAbi.filter(
        (item) => item.type === "event" && (SUBSCRIPTION_EVENTS as readonly string[]).includes(item.name),
      ),
      fromBlock,
      toBlock,
      strict: true,
    });
    const events: SubscriptionEvent[] = [];
    for (const log of factoryLogs) {
      if (log.eventName === "SubscriptionActivated") {
        events.push({
          ...position(log),
          subscription: getAddress(log.args.subscription),
          name: log.eventName,
          args: log.args,
        });
      } else if (log.eventName === "SubscriptionsCharged") {
        for (const { subscription, periodIndex, nextDueAt } of unpackBatchCharges(log.args.charges)) {
          events.push({
            ...position(log),
            subscription,
            name: log.eventName,
            args: { periodIndex, nextDueAt },
            periodIndex,
          });
        }
      }
    }
    for (const log of parseEventLogs({ abi: subscriptionAbi, logs: rawSubscriptionLogs as Log[] })) {
      events.push({
        ...position(log),
        subscription: getAddress(log.address),
        name: log.eventName,
        args: log.args,
        ...(log.eventName === "SubscriptionCharged" ? { periodIndex: Number(log.args.periodIndex) } : {}),
      });
    }
    const drafts = await this.services.db
      .select({ address: subscriptions.contractAddress })
      .from(subscriptions)
      .where(and(eq(subscriptions.chainId, this.#chainId), eq(subscriptions.status, "Draft")));
    const approvals =
      drafts.length === 0
        ? []
        : await client.getContractEvents({
            address: config.tokens.map((token) => token.address),
            abi: erc20Abi,
            eventName: "Approval",
            args: { spender: drafts.map((draft) => draft.address) },
            fromBlock,
            toBlock,
            strict: true,
          });
    return { events, approvals };
  }

  async #blockTimes(numbers: bigint[]): Promise<Map<bigint, Date>> {
    const times = new Map<bigint, Date>();
    for (const number of new Set(numbers)) {
      const block = await this.chain.client.getBlock({ blockNumber: number });
      times.set(number, new Date(Number(block.timestamp) * 1000));
    }
    return times;
  }

  /** An approval of a draft's address for at least one period asks for its activation. */
  async #approvalsToDrafts(
    tx: Parameters<Parameters<Services["db"]["transaction"]>[0]>[0],
    approvals: { args: { owner: Address; spender: Address; value: bigint } }[],
  ) {
    for (const approval of approvals) {
      const [draft] = await tx
        .select()
        .from(subscriptions)
        .where(eq(subscriptions.contractAddress, getAddress(approval.args.spender)));
      if (!draft) continue;
      await requestActivationOnApproval(tx, this.services, draft, {
        owner: approval.args.owner,
        allowance: approval.args.value,
      });
    }
  }

  /**
   * The subscriptions of this chain (drafts aside) changed since the indexer last moved: the keeper, the request executor
   * and the hint watcher write what they read from the chain's head, ahead of the blocks the indexer has passed
   * (it may wait for confirmations). The indexer reads them again as it passes the next blocks, so a state that a
   * reorganisation took back is not kept although no block the indexer passed was replaced (see `aheadOfChain` in `domain/subscriptionStatus.ts`).
   */
  async #changedSince(at: Date): Promise<Address[]> {
    const rows = await this.services.db
      .select({ address: subscriptions.contractAddress })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.chainId, this.#chainId),
          ne(subscriptions.status, "Draft"),
          gt(subscriptions.updatedAt, at),
        ),
      );
    return rows.map((row) => row.address);
  }

  /**
   * The worker's own transactions journalled as mined in blocks `from` to `to` (or later) that the chain no longer
   * holds, and the subscriptions they concern. The keeper and the request executor record a charge from their receipt at
   * once, before the indexer reads that block; if a reorganisation replaces the block first, no event of it was
   * ever indexed, and only the journal knows what to undo.
   */
  async #lostOwnTransactions(from: number, to?: number): Promise<{ hashes: Hex[]; subscriptions: Address[] }> {
    const mined = await this.services.db
      .select({ hash: chainTransactions.hash, subscriptions: chainTransactions.subscriptions })
      .from(chainTransactions)
      .where(
        and(
          eq(chainTransactions.chainId, this.#chainId),
          eq(chainTransactions.status, "Mined"),
          isNotNull(chainTransactions.blockNumber),
          to === undefined
            ? gt(chainTransactions.blockNumber, from - 1)
            : between(chainTransactions.blockNumber, from, to),
        ),
      );
    const hashes: Hex[] = [];
    const concerned = new Set<Address>();
    for (const transaction of mined) {
      if (await this.#onChain(transaction.hash)) continue;
      hashes.push(transaction.hash);
      for (const address of transaction.subscriptions) concerned.add(getAddress(address));
    }
    return { hashes, subscriptions: [...concerned] };
  }

  /**
   * Whether the chain holds the transaction `hash` (has its receipt). Only the node's answer that it has none means
   * no: a failed or timed-out request is thrown (the loop tries again), never read as a transaction that left the
   * chain, which would undo its charges.
   */
  async #onChain(hash: Hex): Promise<boolean> {
    try {
      await this.chain.client.getTransactionReceipt({ hash });
      return true;
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Undoes in the database what transactions that left the chain did: their charges are not made (Pending again,
   * until the chain says otherwise), and the worker's own are Sent again, so that its journal rebroadcasts them or,
   * when their nonce went to another transaction, drops them.
   */
  async #forget(tx: Queryable, hashes: Hex[]): Promise<void> {
    if (hashes.length === 0) return;
    await reopenCharges(tx, hashes, this.services.now());
    await tx
      .update(chainTransactions)
      .set({ status: "Sent", blockNumber: null, gasUsed: null, updatedAt: this.services.now() })
      .where(and(inArray(chainTransactions.hash, hashes), eq(chainTransactions.status, "Mined")));
  }

  /** Forgets everything after the newest block both the chain and the index still agree on, then re-reads. */
  async #rollback(cursor: typeof chainCursors.$inferSelect, started: Date) {
    const { client } = this.chain;
    const kept = await this.services.db
      .select()
      .from(chainBlocks)
      .where(and(eq(chainBlocks.chainId, this.#chainId), lt(chainBlocks.number, cursor.blockNumber)))
      .orderBy(desc(chainBlocks.number));
    let fork: { number: number; hash: Hex } | undefined;
    for (const block of kept) {
      const onChain = await client.getBlock({ blockNumber: BigInt(block.number) }).catch(() => undefined);
      if (onChain?.hash === block.hash) {
        fork = block;
        break;
      }
    }
    const forkNumber = fork?.number ?? (this.options.startBlock ?? 0) - 1;
    const affected = await this.services.db
      .selectDistinct({ address: chainEvents.contractAddress, txHash: chainEvents.txHash })
      .from(chainEvents)
      .where(and(eq(chainEvents.chainId, this.#chainId), gt(chainEvents.blockNumber, forkNumber)));
    const own = await this.#lostOwnTransactions(forkNumber + 1);
    const addresses = [
      ...new Set([
        ...affected.map((row) => row.address),
        ...own.subscriptions,
        ...(await this.#changedSince(cursor.updatedAt)),
      ]),
    ];
    // charges made by transactions the new history does not hold are not made
    const lostTransactions: Hex[] = [...own.hashes];
    for (const txHash of new Set(affected.map((row) => row.txHash))) {
      if (lostTransactions.includes(txHash)) continue;
      if (!(await this.#onChain(txHash))) lostTransactions.push(txHash);
    }
    const states = await this.chain.states(addresses);
    await this.services.db.transaction(async (tx) => {
      await tx
        .delete(chainEvents)
        .where(and(eq(chainEvents.chainId, this.#chainId), gt(chainEvents.blockNumber, forkNumber)));
      await tx
        .delete(chainBlocks)
        .where(and(eq(chainBlocks.chainId, this.#chainId), gt(chainBlocks.number, forkNumber)));
      await this.#forget(tx, lostTransactions);
      if (fork) {
        await tx
          .update(chainCursors)
          .set({ blockNumber: fork.number, blockHash: fork.hash, updatedAt: started })
          .where(eq(chainCursors.chainId, this.#chainId));
      } else {
        await tx.delete(chainCursors).where(eq(chainCursors.chainId, this.#chainId));
      }
      for (const address of addresses) {
        await this.#followChain(tx, address, { state: states.get(address), undone: true });
      }
    });
  }

  /**
   * Locks one subscription's row and brings it in line with the chain. `undone`: a transaction that charged it left
   * the chain, so its charge count follows the chain down as well as up (events only ever raise it).
   */
  async #followChain(tx: Queryable, address: Address, observation: ChainObservation & { undone: boolean }) {
    const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.contractAddress, address)).for("update");
    if (!row) return;
    const { undone, ...seen } = observation;
    const locked = undone
      ? (
          await updateSubscription(tx, this.services, row, {
            set: { periodsCharged: Math.min(row.periodsCharged, seen.state?.periodsCharged ?? 0) },
          })
        ).row
      : row;
    await applyChainState(tx, this.services, locked, seen);
  }
}
