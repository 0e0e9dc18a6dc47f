import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import type { RecurClient } from "../client/RecurClient.js";

describe(`idempotency keys (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let client: RecurClient;
  let planId: string;
  before(async () => {
    server = await startTestServer();
    client = server.merchant.client;
    planId = (await client.createPlan({ name: "Monthly", amount: "10 tUSDC", periodSeconds: 2_592_000 })).id;
    await client.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  it("returns the first response again for the same key and body, writing nothing more", async () => {
    const body = { planId, customerId: "cus-idem", payer: newPayer() };
    const first = await client.createSubscription(body, { idempotencyKey: "order-1" });
    const counts = await server.rowCounts();
    const second = await client.createSubscription(body, { idempotencyKey: "order-1" });
    assert.deepEqual(second, first);
    assert.deepEqual(await server.rowCounts(), counts);
  });

  it("marks a replayed response", async () => {
    const body = { planId, customerId: "cus-mark", payer: newPayer() };
    await client.createSubscription(body, { idempotencyKey: "order-mark" });
    const ts = String(Math.floor(Date.now() / 1000) + 1);
    const { signRequest } = await import("../auth/signRequest.js");
    const text = JSON.stringify(body);
    const response = await fetch(`${server.url}/integration/subscriptions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-idempotency-key": "order-mark",
        "x-api-key": server.merchant.apiKey,
        "x-api-ts": ts,
        "x-api-sig": signRequest({
          secret: server.merchant.apiSecret,
          ts,
          method: "POST",
          path: "/integration/subscriptions",
          body: text,
        }),
      },
      body: text,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("idempotent-replayed"), "true");
  });

  it("refuses the same key with a different body", async () => {
    await client.createSubscription({ planId, customerId: "cus-a", payer: newPayer() }, { idempotencyKey: "order-2" });
    const counts = await server.rowCounts();
    await assert.rejects(
      client.createSubscription({ planId, customerId: "cus-b", payer: newPayer() }, { idempotencyKey: "order-2" }),
      { status: 409, message: /already used for a different request/ },
    );
    assert.deepEqual(await server.rowCounts(), counts);
  });

  it("keys belong to one merchant", async () => {
    const other = await server.otherMerchant.client.createPlan(
      { name: "Theirs", amount: "1 tUSD", periodSeconds: 86_400 },
      { idempotencyKey: "shared" },
    );
    const mine = await client.createPlan(
      { name: "Mine", amount: "1 tUSD", periodSeconds: 86_400 },
      { idempotencyKey: "shared" },
    );
    assert.notEqual(mine.id, other.id);
  });

  it("does not store refusals, so the fixed request can reuse the key", async () => {
    await assert.rejects(
      client.createSubscription(
        { planId: "plan_typo", customerId: "c", payer: newPayer() },
        { idempotencyKey: "order-3" },
      ),
      {
        status: 404,
      },
    );
    const fixed = await client.createSubscription(
      { planId, customerId: "c", payer: newPayer() },
      { idempotencyKey: "order-3" },
    );
    assert.equal(fixed.status, "Draft");
  });

  it("applies to every kind of POST: a repeated activation request records the work once", async () => {
    const draft = await client.createSubscription({ planId, customerId: "c", payer: newPayer() });
    const first = await client.activateSubscription(draft.contractAddress, undefined, { idempotencyKey: "act-1" });
    const counts = await server.rowCounts();
    assert.deepEqual(
      await client.activateSubscription(draft.contractAddress, undefined, { idempotencyKey: "act-1" }),
      first,
    );
    assert.deepEqual(await server.rowCounts(), counts);
  });

  it("refuses a malformed key", async () => {
    await assert.rejects(
      client.createPlan({ name: "x", amount: "1 tUSD", periodSeconds: 86_400 }, { idempotencyKey: "has space" }),
      {
        status: 400,
        message: /X-Idempotency-Key must be/,
      },
    );
  });
});
