import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";
import type { Draft } from "../schemas/subscriptions.js";

describe(`checkout sessions (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let client: RecurClient;
  let anyone: RecurClient;
  let planId: string;
  before(async () => {
    server = await startTestServer({
      RECUR_CHECKOUT_URL: "https://pay.example/checkout/",
      RECUR_CHECKOUT_ORIGINS: "https://shop.example",
    });
    client = server.merchant.client;
    anyone = new RecurClient(server.url);
    planId = (await client.createPlan({ name: "Club", amount: "5 tUSDT", periodSeconds: 604_800, maxPeriods: 52 })).id;
    await client.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  const session = (overrides: Partial<Parameters<RecurClient["createCheckoutSession"]>[0]> = {}) => ({
    planId,
    customerId: "cus-1",
    successUrl: "https://shop.example/thanks",
    cancelUrl: "https://shop.example/cart",
    lang: "es" as const,
    metadata: "cart-7",
    ...overrides,
  });

  it("creates a session with a hosted page URL that expires after the given hours", async () => {
    const created = await client.createCheckoutSession(session({ expiresInHours: 2 }));
    assert.match(created.id, /^cs_[0-9A-Za-z]{32}$/);
    assert.equal(created.url, `https://pay.example/checkout/${created.id}`);
    const hours = (Date.parse(created.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 1.99 && hours <= 2, `expires in ${hours} h`);
    const stored = await client.getCheckoutSession(created.id);
    assert.equal(stored.status, "Open");
    assert.equal(stored.lang, "es");
    await assert.rejects(server.otherMerchant.client.getCheckoutSession(created.id), { status: 404 });
  });

  it("answers the hosted page's cross-origin calls from the checkout origins only, and no merchant-only route", async () => {
    const { id } = await client.createCheckoutSession(session());
    const preflight = (path: string, origin: string) =>
      fetch(new URL(path, server.url), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    for (const origin of ["https://pay.example", "https://shop.example"]) {
      const answer = await preflight(`/checkout-sessions/${id}/subscription`, origin);
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get("access-control-allow-origin"), origin);
      const read = await fetch(new URL(`/checkout-sessions/${id}`, server.url), { headers: { origin } });
      assert.equal(read.status, 200);
      assert.equal(read.headers.get("access-control-allow-origin"), origin);
    }
    const stranger = await fetch(new URL(`/checkout-sessions/${id}`, server.url), {
      headers: { origin: "https://evil.example" },
    });
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    // the merchant's own routes answer no browser: a customer token's routes are the widget's (see customers.test.ts)
    for (const merchantRoute of [
      "/integration/subscription-plans",
      "/integration/subscriptions/create-customer-token",
      `/integration/subscriptions/${"0x".padEnd(42, "1")}/cancel`,
    ]) {
      const answer = await preflight(merchantRoute, "https://pay.example");
      assert.equal(answer.headers.get("access-control-allow-origin"), null, merchantRoute);
    }
  });

  it("lets the hosted page read the session and subscribe through it with the session id alone", async () => {
    const { id } = await client.createCheckoutSession(session());
    const page = await anyone.request<{
      status: string;
      plan: { amount: string };
      merchant: { name: string };
      payee: string | null;
      token: { approveZeroFirst: boolean };
      subscription: unknown;
    }>("GET", `/checkout-sessions/${id}`);
    assert.equal(page.status, "Open");
    assert.equal(page.plan.amount, "5 tUSDT");
    assert.equal(page.merchant.name, "Test Shop");
    assert.equal(page.payee, server.merchant.payout, "the page names where the payments go");
    assert.equal(page.token.approveZeroFirst, true);
    assert.equal(page.subscription, null);

    const payer = newPayer();
    const draft = await anyone.request<Draft>("POST", `/checkout-sessions/${id}/subscription`, { payer });
    assert.equal(draft.customerId, "cus-1");
    assert.equal(draft.metadata, "cart-7");
    assert.equal(draft.approval.spender, draft.contractAddress);
    const again = await anyone.request<Draft>("POST", `/checkout-sessions/${id}/subscription`, { payer });
    assert.equal(again.contractAddress, draft.contractAddress, "the same wallet gets the same draft back");

    const activated = await anyone.request<{ status: string }>("POST", `/checkout-sessions/${id}/activate`);
    assert.equal(activated.status, "Pending");
    const after = await anyone.request<{ subscription: { contractAddress: string; status: string } }>(
      "GET",
      `/checkout-sessions/${id}`,
    );
    assert.equal(after.subscription.contractAddress, draft.contractAddress);
    assert.equal(after.subscription.status, "Pending");
  });

  it("shows the hosted page a trial only where the draft will have one", async () => {
    const startOf = async (startFrom: Date) => {
      const { id } = await client.createCheckoutSession(session({ startFrom: startFrom.toISOString() }));
      const page = await anyone.request<{ startFrom: string | null }>("GET", `/checkout-sessions/${id}`);
      const draft = await anyone.request<Draft>("POST", `/checkout-sessions/${id}/subscription`, { payer: newPayer() });
      return { page: page.startFrom, terms: draft.approval.terms.startAt };
    };
    const trialEnd = new Date(Date.now() + 14 * 86_400_000);
    trialEnd.setMilliseconds(0);
    assert.deepEqual(await startOf(trialEnd), {
      page: trialEnd.toISOString(),
      terms: String(trialEnd.getTime() / 1000),
    });
    // "now" by the merchant's clock, or a start that has passed: the first charge is at activation
    assert.deepEqual(await startOf(new Date()), { page: null, terms: "0" });
    assert.deepEqual(await startOf(new Date(Date.now() - 86_400_000)), { page: null, terms: "0" });
  });

  it("refuses an expired session clearly", async () => {
    const { id } = await client.createCheckoutSession(session({ expiresInHours: 1 }));
    server.advanceClock(3_601);
    try {
      const page = await anyone.request<{ status: string }>("GET", `/checkout-sessions/${id}`);
      assert.equal(page.status, "Expired");
      await assert.rejects(anyone.request("POST", `/checkout-sessions/${id}/subscription`, { payer: newPayer() }), {
        status: 409,
        message: /expired at .*: ask the merchant for a new one/,
      });
    } finally {
      server.advanceClock(-3_601);
    }
  });

  it("validates the session request, writing nothing when refused", async () => {
    const before = await server.rowCounts();
    const cases: [ReturnType<typeof session>, number, RegExp][] = [
      [session({ successUrl: "javascript:alert(1)" }), 400, /body\.successUrl/],
      [session({ cancelUrl: "not a url" }), 400, /body\.cancelUrl/],
      [session({ lang: "fr" as never }), 400, /body\.lang/],
      [session({ expiresInHours: 0 }), 400, /body\.expiresInHours/],
      [session({ planId: "plan_missing" }), 404, /No plan/],
    ];
    for (const [body, status, message] of cases) {
      await assert.rejects(client.createCheckoutSession(body), (error: { status: number; message: string }) => {
        assert.equal(error.status, status);
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(anyone.request("GET", "/checkout-sessions/cs_unknown"), { status: 404 });
    await assert.rejects(anyone.request("POST", "/checkout-sessions/cs_unknown/activate"), { status: 404 });
    assert.deepEqual(await server.rowCounts(), before);
  });
});
