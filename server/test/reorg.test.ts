import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import type { Address } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform, subscriptionAbi } from "../../test/support/startPlatform.js";
import { chainCursors, chainEvents } from "../db/schema.js";

/**
 * A reorganised local chain: a snapshot, a history the indexer follows, a revert to the snapshot and a different
 * history. The database must follow the chain back. Every wait is for a condition (the indexer's cursor on the new
 * history, the database agreeing with the chain), with a deadline generous enough for a loaded machine.
 */
describe(`the indexer across a reorganisation (${testEngine})`, { timeout: 900_000 }, () => {
  let platform: Platform;
  before(async () => {
    platform = await startPlatform();
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
  }, hookTimeouts.stopping);

  const rpc = (method: string, params: unknown[] = []) =>
    platform.client.request({ method: method as never, params: params as never }) as Promise<unknown>;

  /** A subscription on a new plan, approved, activated and seen Active. */
  async function activeSubscription(plan: { name: string; amount: string; periodSeconds: number }) {
    const merchant = platform.server.merchant.client;
    const { id } = await merchant.createPlan(plan);
    await merchant.activatePlan(id);
    const payer = await platform.newPayer();
    const draft = await merchant.createSubscription({
      planId: id,
      customerId: `cus-${plan.name}`,
      payer: payer.address,
    });
    await platform.approve(payer, draft);
    await merchant.activateSubscription(draft.contractAddress);
    // the API answers addresses as strings
    const address = draft.contractAddress as Address;
    await platform.waitFor("activation", async () =>
      (await merchant.getSubscription(address)).status === "Active" ? true : undefined,
    );
    return { payer, address };
  }

  /** Replaces everything after `snapshot` with a longer history of empty blocks; returns the new head. */
  async function reorganise(snapshot: unknown): Promise<bigint> {
    assert.equal(await rpc("evm_revert", [snapshot]), true);
    for (let i = 0; i < 3; i++) await rpc("evm_mine");
    return platform.client.getBlockNumber();
  }

  /** Waits until the indexer's cursor stands at `head` or later, on a block the chain still holds. */
  async function indexerReaches(head: bigint): Promise<void> {
    let last = "no cursor yet";
    await platform
      .waitFor(`the indexer to reach block ${head} of the new history`, async () => {
        const [cursor] = await platform.server.database.db
          .select()
          .from(chainCursors)
          .where(eq(chainCursors.chainId, platform.chain.id));
        if (!cursor) return undefined;
        const onChain = await platform.client.getBlock({ blockNumber: BigInt(cursor.blockNumber) }).catch(() => null);
        last = `the cursor is at block ${cursor.blockNumber}, ${onChain?.hash === cursor.blockHash ? "on" : "off"} the chain`;
        return cursor.blockNumber >= Number(head) && onChain?.hash === cursor.blockHash ? true : undefined;
      })
      .catch((error: Error) => assert.fail(`${error.message}: ${last}`));
  }

  // first: the reorganisations after it drop a transaction of the merchant's gas wallet, after which the worker's
  // journal still holds that nonce as used and the wallet's next transaction fails
  it("charges the first period at activation when the server's clock for the chain runs ahead of its blocks", async () => {
    // the server sees a block an hour ahead, then a reorganisation replaces it with blocks on time: the server's
    // estimate of the chain's clock (which never goes back) is now an hour ahead of every block to come
    const snapshot = await rpc("evm_snapshot");
    const ahead = Number((await platform.client.getBlock()).timestamp) + 3_600;
    await rpc("evm_setNextBlockTimestamp", [ahead]);
    await rpc("evm_mine");
    const clock = platform.server.services.chainClock(platform.chain.id);
    await platform.waitFor("the server to see the block an hour ahead", async () =>
      clock.nowSeconds() >= ahead ? true : undefined,
    );
    await indexerReaches(await reorganise(snapshot));
    assert.ok(Number((await platform.client.getBlock()).timestamp) < ahead - 3_000, "the chain's clock went back");

    const merchant = platform.server.merchant.client;
    const { id: planId } = await merchant.createPlan({ name: "Now", amount: "2 tUSDC", periodSeconds: 86_400 });
    await merchant.activatePlan(planId);
    // no start asked for, and SmartyPay's SDK asking for "now" from the merchant's clock: both start at once
    for (const startFrom of [undefined, new Date().toISOString()]) {
      const payer = await platform.newPayer();
      const draft = await merchant.createSubscription({
        planId,
        customerId: "cus-now",
        payer: payer.address,
        ...(startFrom ? { startFrom } : {}),
      });
      assert.equal(draft.approval.terms.startAt, "0", "the terms say: at activation");
      assert.equal(draft.startFrom, null, "no start time until it is activated");
      await platform.approve(payer, draft);
      await merchant.activateSubscription(draft.contractAddress);
      // the API answers addresses as strings
      const address = draft.contractAddress as Address;
      const active = await platform.waitFor("activation", async () => {
        const subscription = await merchant.getSubscription(address);
        return subscription.status === "Active" ? subscription : undefined;
      });
      assert.equal(active.periodsCharged, 1, `charged at activation, not a trial (startFrom ${startFrom})`);
      assert.deepEqual(
        active.charges.map((charge) => charge.status),
        ["Succeeded"],
      );
      assert.equal(active.startFrom, active.charges[0]?.chargeDate, "it started when it was activated");
      const state = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
      assert.equal(state.periodsCharged, 1, "charged on chain");
    }
  });

  it("undoes a pause that the chain no longer holds", async () => {
    const merchant = platform.server.merchant.client;
    const { payer, address } = await activeSubscription({ name: "P", amount: "3 tUSDC", periodSeconds: 2_592_000 });

    const snapshot = await rpc("evm_snapshot");
    await platform.send(payer, { address, abi: subscriptionAbi, functionName: "pause" });
    await platform.waitFor("the pause", async () =>
      (await merchant.getSubscription(address)).status === "Paused" ? true : undefined,
    );

    // the block with the pause is replaced by a longer, different history
    const head = await reorganise(snapshot);
    const onChain = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
    assert.equal(onChain.status, 1, "Active again on chain");

    // once the indexer stands on the new history, the database says what the chain says
    await indexerReaches(head);
    assert.equal((await merchant.getSubscription(address)).status, "Active", "the database followed the chain back");
    const kept = await platform.server.database.db
      .select()
      .from(chainEvents)
      .where(and(eq(chainEvents.contractAddress, address), eq(chainEvents.name, "SubscriptionPaused")));
    assert.deepEqual(kept, [], "the orphaned event is forgotten");
  });

  it("keeps charges in line with the chain when the block with a charge is replaced", async () => {
    const merchant = platform.server.merchant.client;
    const { address } = await activeSubscription({ name: "Q", amount: "4 tUSDC", periodSeconds: 86_400 });

    const snapshot = await rpc("evm_snapshot");
    await platform.travel(86_400);
    await platform.waitFor("the second charge", async () =>
      (await merchant.getSubscription(address)).periodsCharged === 2 ? true : undefined,
    );
    const head = await reorganise(snapshot);
    await indexerReaches(head);

    // whatever the new history holds (the keeper may charge again in it), the database ends up saying the same,
    // with no charge it does not hold
    let last = "";
    await platform
      .waitFor("the database to agree with the chain", async () => {
        const onChain = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
        const subscription = await merchant.getSubscription(address);
        last = `the chain has ${onChain.periodsCharged} charges, the database ${subscription.periodsCharged}`;
        if (subscription.periodsCharged !== onChain.periodsCharged) return undefined;
        for (const charge of subscription.charges.filter((c) => c.status === "Succeeded")) {
          const receipt = await platform.client
            .getTransactionReceipt({ hash: charge.txHash as `0x${string}` })
            .catch(() => undefined);
          if (!receipt) {
            last = `charge ${charge.periodIndex} is Succeeded by a transaction the chain does not hold`;
            return undefined;
          }
        }
        return true;
      })
      .catch((error: Error) => assert.fail(`${error.message}: ${last}`));
  });
});
