import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import type { Address } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { outboxEvents, subscriptionRequests, subscriptions } from "../db/schema.js";
import { SubscriptionStatusError } from "../domain/errors.js";
import { updateSubscription } from "../domain/updateSubscription.js";

describe(`the one writer of a subscription's status (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let planId: string;
  before(async () => {
    server = await startTestServer();
    const { client } = server.merchant;
    planId = (await client.createPlan({ name: "Writer", amount: "5 tUSDC", periodSeconds: 86_400 })).id;
    await client.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);

  async function draft() {
    const created = await server.merchant.client.createSubscription({
      planId,
      customerId: "cus-writer",
      payer: newPayer(),
    });
    // the API answers addresses as strings (its schema types them so)
    return read(created.contractAddress as Address);
  }

  async function read(contractAddress: Address) {
    const [row] = await server.database.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.contractAddress, contractAddress));
    if (!row) throw new Error(`no subscription ${contractAddress}`);
    return row;
  }

  /** The statuses of the `SubscriptionStatusChanged` events recorded for `contractAddress`, sorted. */
  async function statusEvents(contractAddress: string) {
    const events = await server.database.db
      .select()
      .from(outboxEvents)
      .where(eq(outboxEvents.eventType, "SubscriptionStatusChanged"));
    return events
      .map((event) => (event.payload as { subscription: { contractAddress: string; status: string } }).subscription)
      .filter((subscription) => subscription.contractAddress === contractAddress)
      .map((subscription) => subscription.status)
      .sort();
  }

  it("moves the status, asks for the request the move needs and records the event, in the caller's transaction", async () => {
    const row = await draft();
    const before = await server.rowCounts();
    const permit = { value: "5000000", deadline: "1", v: 27, r: "0x01", s: "0x02" };
    const { row: updated, transition } = await server.database.db.transaction((tx) =>
      updateSubscription(tx, server.services, row, { event: "activate", params: permit }),
    );
    assert.deepEqual(transition, { kind: "move", to: "Pending", request: "activate" });
    assert.equal(updated.status, "Pending");
    assert.equal((await read(row.contractAddress)).status, "Pending");
    const after = await server.rowCounts();
    assert.equal(after.outbox_events, (before.outbox_events ?? 0) + 1, "one event");
    assert.equal(after.subscription_requests, (before.subscription_requests ?? 0) + 1, "one request");
    const [request] = await server.database.db
      .select()
      .from(subscriptionRequests)
      .where(eq(subscriptionRequests.contractAddress, row.contractAddress));
    assert.equal(request?.action, "activate");
    assert.deepEqual(request?.params, permit);
    assert.deepEqual(await statusEvents(row.contractAddress), ["Draft", "Pending"], "the draft's, then the move's");
  });

  it("writes neither the status nor its event when the transaction rolls back", async () => {
    const row = await draft();
    const before = await server.rowCounts();
    await assert.rejects(
      server.database.db.transaction(async (tx) => {
        await updateSubscription(tx, server.services, row, { event: "cancel" });
        throw new Error("the caller fails after the write");
      }),
      /the caller fails/,
    );
    assert.equal((await read(row.contractAddress)).status, "Draft");
    assert.deepEqual(await server.rowCounts(), before);
  });

  it("writes nothing when nothing differs, and nothing when the rules refuse", async () => {
    const row = await draft();
    const pending = (
      await server.database.db.transaction((tx) => updateSubscription(tx, server.services, row, { event: "activate" }))
    ).row;
    const before = await server.rowCounts();

    // asked again: already under way
    const again = await server.database.db.transaction((tx) =>
      updateSubscription(tx, server.services, pending, { event: "activate", set: { periodsCharged: 0 } }),
    );
    assert.deepEqual(again.transition, { kind: "stay" });
    assert.equal((await read(row.contractAddress)).updatedAt.getTime(), pending.updatedAt.getTime(), "not written");

    // a pending activation cannot be paused: refused with why, and nothing written
    await assert.rejects(
      server.database.db.transaction((tx) => updateSubscription(tx, server.services, pending, { event: "pause" })),
      (error) => {
        assert.ok(error instanceof SubscriptionStatusError);
        assert.equal(error.message, `Subscription ${row.contractAddress} is Pending: it cannot be asked to pause`);
        return true;
      },
    );
    assert.deepEqual(await server.rowCounts(), before);
  });

  it("keeps a move's reason, and writes other fields without an event while the status stays", async () => {
    const row = await draft();
    const pending = (
      await server.database.db.transaction((tx) => updateSubscription(tx, server.services, row, { event: "activate" }))
    ).row;
    const refused = (
      await server.database.db.transaction((tx) =>
        updateSubscription(tx, server.services, pending, { event: "activationRefused", reason: "allowance too low" }),
      )
    ).row;
    assert.equal(refused.status, "Draft");
    assert.equal(refused.statusReason, "allowance too low");
    assert.deepEqual(await statusEvents(row.contractAddress), ["Draft", "Draft", "Pending"]);

    const events = (await server.rowCounts()).outbox_events;
    const approved = (
      await server.database.db.transaction((tx) =>
        updateSubscription(tx, server.services, refused, { set: { allowance: 10_000_000n } }),
      )
    ).row;
    assert.equal(approved.allowance, 10_000_000n);
    assert.equal(approved.status, "Draft");
    assert.equal(approved.statusReason, "allowance too low", "a change of fields keeps the reason");
    assert.equal((await server.rowCounts()).outbox_events, events, "no event without a status change");
  });
});
