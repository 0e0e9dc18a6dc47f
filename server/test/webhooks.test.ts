import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { inArray } from "drizzle-orm";
import pino from "pino";
import { waitUntil } from "../../stack/waitUntil.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { startWebhookReceiver } from "../../test/support/startWebhookReceiver.js";
import { outboxEvents } from "../db/schema.js";
import { runLoop } from "../worker/runLoop.js";
import { WebhookDispatcher } from "../worker/WebhookDispatcher.js";

/** Webhook delivery: at least once, signed, backing off while the endpoint is down, redeliverable on request. */
describe(`webhooks (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const stop = new AbortController();
  let dispatching: Promise<void>;
  let planId: string;

  before(async () => {
    // the receiver listens on loopback, which only an operator's development setting lets webhooks reach
    server = await startTestServer({ RECUR_WEBHOOK_ALLOW_PRIVATE: "on" });
    receiver = await startWebhookReceiver(() => server.merchant.apiSecret);
    const merchant = server.merchant.client;
    await merchant.setWebhookUrl(receiver.url);
    planId = (await merchant.createPlan({ name: "P", amount: "1 tUSD", periodSeconds: 86_400 })).id;
    await merchant.activatePlan(planId);
    const dispatcher = new WebhookDispatcher(server.services, {
      firstRetrySeconds: 0.2,
      maxDelaySeconds: 1,
      giveUpAfterSeconds: 86_400,
      timeoutMs: 2_000,
    });
    dispatching = runLoop(dispatcher, { idleMs: 50, signal: stop.signal, log: pino({ level: "silent" }) });
  }, hookTimeouts.starting);
  after(async () => {
    stop.abort();
    await dispatching;
    await server.close();
    await receiver.close();
  }, hookTimeouts.stopping);

  async function events() {
    return (await server.merchant.client.listWebhookEvents({ limit: 100 })).events;
  }

  it("keeps trying while the endpoint is down and delivers every event, signed, once it is back", async () => {
    receiver.setDown(true);
    for (let i = 0; i < 5; i++) {
      await server.merchant.client.createSubscription({ planId, customerId: `cus-${i}`, payer: newPayer() });
    }
    // the endpoint refuses for a while: several attempts per event, none counted as delivered
    await waitUntil("repeated attempts", async () => {
      const all = await events();
      return all.length >= 5 && all.every((event) => event.attempts >= 3 && !event.delivered) ? true : undefined;
    });
    assert.equal(receiver.received.length, 0);

    receiver.setDown(false);
    const delivered = await waitUntil("delivery", async () => {
      const all = await events();
      return all.every((event) => event.delivered) ? all : undefined;
    });
    const ids = receiver.received.map((event) => event.eventId);
    assert.deepEqual(new Set(ids), new Set(delivered.map((event) => event.eventId)), "every event arrived");
    assert.equal(new Set(ids).size, ids.length, "each once");
    assert.ok(
      receiver.received.every((event) => event.signatureValid),
      "signed with the merchant's API secret",
    );
    assert.ok(
      receiver.received.every((event) => event.eventType === "SubscriptionStatusChanged" && event.body.subscription),
    );

    // the delivery log shows the failed attempts and the final success of each event
    const first = delivered[0];
    assert.ok(first);
    const { deliveries } = await server.merchant.client.listWebhookDeliveries({ eventId: first.eventId });
    assert.ok(deliveries.length >= 4);
    assert.equal(deliveries[0]?.responseStatus, 204, "the newest attempt succeeded");
    assert.ok(deliveries.slice(1).every((delivery) => delivery.responseStatus === 503));

    // once delivered, never again
    const count = receiver.attempts();
    await sleep(1_000);
    assert.equal(receiver.attempts(), count, "nothing is sent again after a success");
  });

  it("redelivers an event when asked, and only that one", async () => {
    const [event] = await events();
    assert.ok(event);
    const before = receiver.received.length;
    const summary = await server.merchant.client.redeliverWebhookEvent(event.eventId);
    assert.equal(summary.delivered, false);
    await waitUntil("redelivery", async () => (receiver.received.length === before + 1 ? true : undefined));
    assert.equal(receiver.received.at(-1)?.eventId, event.eventId);
    await assert.rejects(server.otherMerchant.client.redeliverWebhookEvent(event.eventId), { status: 404 });
  });

  it("sends a signed test event on request, to that merchant only", async () => {
    const before = receiver.received.length;
    const event = await server.merchant.client.sendTestWebhook();
    assert.equal(event.eventType, "WebhookTest");
    assert.equal(event.delivered, false, "queued, not yet sent");
    const arrived = await waitUntil("the test event", async () =>
      receiver.received.find((received) => received.eventId === event.eventId),
    );
    assert.equal(arrived.eventType, "WebhookTest");
    assert.ok(arrived.signatureValid, "signed with the merchant's API secret");
    assert.equal(receiver.received.length, before + 1, "only the test event");
    const others = await server.otherMerchant.client.listWebhookEvents({ limit: 100 });
    assert.ok(!others.events.some((other) => other.eventId === event.eventId), "not the other merchant's event");
  });
});

describe(`webhook events, undelivered only (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);

  it("filters before paging: a full page of undelivered events even when the newest were delivered", async () => {
    const merchant = server.merchant.client;
    const planId = (await merchant.createPlan({ name: "P", amount: "1 tUSD", periodSeconds: 86_400 })).id;
    await merchant.activatePlan(planId);
    for (let i = 0; i < 6; i++) {
      await merchant.createSubscription({ planId, customerId: `cus-${i}`, payer: newPayer() });
    }
    const all = (await merchant.listWebhookEvents({ limit: 100 })).events;
    assert.equal(all.length, 6);
    // the three newest were delivered (no dispatcher runs here: the test marks them as one would)
    const newest = all.slice(0, 3).map((event) => event.eventId);
    await server.database.db
      .update(outboxEvents)
      .set({ deliveredAt: new Date(), nextAttemptAt: null })
      .where(inArray(outboxEvents.id, newest));
    const undelivered = all.slice(3).map((event) => event.eventId);

    const firstPage = await merchant.listWebhookEvents({ undelivered: true, limit: 2 });
    assert.deepEqual(
      firstPage.events.map((event) => event.eventId),
      undelivered.slice(0, 2),
      "a full first page",
    );
    const secondPage = await merchant.listWebhookEvents({ undelivered: true, limit: 2, offset: 2 });
    assert.deepEqual(
      secondPage.events.map((event) => event.eventId),
      undelivered.slice(2),
      "the rest",
    );
    assert.ok(secondPage.events.every((event) => !event.delivered));
    const everything = await merchant.listWebhookEvents({ undelivered: false, limit: 4 });
    assert.deepEqual(
      everything.events.map((event) => event.eventId),
      all.slice(0, 4).map((event) => event.eventId),
      "undelivered=false pages over every event",
    );
  });
});
