import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import type { Address } from "viem";
import { chainEvents } from "../db/schema.js";
import { testEngine } from "./support/openTestDatabase.js";
import { type Platform, startPlatform, subscriptionAbi } from "./support/startPlatform.js";

/**
 * A reorganised local chain: a snapshot, a history the indexer follows, a revert to the snapshot and a different
 * history. The database must follow the chain back.
 */
describe(`the indexer across a reorganisation (${testEngine})`, () => {
  let platform: Platform;
  before(async () => {
    platform = await startPlatform();
  });
  after(async () => {
    await platform?.stop();
  });

  const rpc = (method: string, params: unknown[] = []) =>
    platform.client.request({ method: method as never, params: params as never }) as Promise<unknown>;

  it("undoes a pause that the chain no longer holds", async () => {
    const merchant = platform.server.merchant.client;
    const plan = await merchant.createPlan({ name: "P", amount: "3 tUSDC", periodSeconds: 2_592_000 });
    await merchant.activatePlan(plan.id);
    const payer = await platform.newPayer();
    const draft = await merchant.createSubscription({ planId: plan.id, customerId: "cus", payer: payer.address });
    await platform.approve(payer, draft);
    await merchant.activateSubscription(draft.contractAddress);
    const address = draft.contractAddress as Address;
    await platform.waitFor("activation", async () =>
      (await merchant.getSubscription(address)).status === "Active" ? true : undefined,
    );

    const snapshot = await rpc("evm_snapshot");
    await platform.send(payer, { address, abi: subscriptionAbi, functionName: "pause" });
    await platform.waitFor("the pause", async () =>
      (await merchant.getSubscription(address)).status === "Paused" ? true : undefined,
    );

    // the block with the pause is replaced by a longer, different history
    assert.equal(await rpc("evm_revert", [snapshot]), true);
    for (let i = 0; i < 3; i++) await rpc("evm_mine");
    const onChain = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
    assert.equal(onChain.status, 1, "Active again on chain");

    await platform.waitFor("the database to follow the chain back", async () =>
      (await merchant.getSubscription(address)).status === "Active" ? true : undefined,
    );
    const kept = await platform.server.database.db
      .select()
      .from(chainEvents)
      .where(and(eq(chainEvents.contractAddress, address), eq(chainEvents.name, "SubscriptionPaused")));
    assert.deepEqual(kept, [], "the orphaned event is forgotten");
  });

  it("keeps charges in line with the chain when the block with a charge is replaced", async () => {
    const merchant = platform.server.merchant.client;
    const plan = await merchant.createPlan({ name: "Q", amount: "4 tUSDC", periodSeconds: 86_400 });
    await merchant.activatePlan(plan.id);
    const payer = await platform.newPayer();
    const draft = await merchant.createSubscription({ planId: plan.id, customerId: "cus-2", payer: payer.address });
    await platform.approve(payer, draft);
    await merchant.activateSubscription(draft.contractAddress);
    const address = draft.contractAddress as Address;
    await platform.waitFor("activation", async () =>
      (await merchant.getSubscription(address)).status === "Active" ? true : undefined,
    );

    const snapshot = await rpc("evm_snapshot");
    await platform.travel(86_400);
    await platform.waitFor("the second charge", async () =>
      (await merchant.getSubscription(address)).periodsCharged === 2 ? true : undefined,
    );
    assert.equal(await rpc("evm_revert", [snapshot]), true);
    for (let i = 0; i < 3; i++) await rpc("evm_mine");

    // whatever the new history holds, the database ends up saying the same, with no charge it does not hold
    await platform.waitFor("the database to agree with the chain", async () => {
      const onChain = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
      const subscription = await merchant.getSubscription(address);
      if (subscription.periodsCharged !== onChain.periodsCharged) return undefined;
      for (const charge of subscription.charges.filter((c) => c.status === "Succeeded")) {
        const receipt = await platform.client
          .getTransactionReceipt({ hash: charge.txHash as `0x${string}` })
          .catch(() => undefined);
        if (!receipt) return undefined;
      }
      return true;
    });
  });
});
