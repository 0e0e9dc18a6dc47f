import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";

describe(`customer tokens (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let merchant: RecurClient;
  let alice: RecurClient;
  let planId: string;
  let bobsDraft: string;
  before(async () => {
    server = await startTestServer();
    merchant = server.merchant.client;
    planId = (await merchant.createPlan({ name: "Monthly", amount: "3 tUSD", periodSeconds: 2_592_000 })).id;
    await merchant.activatePlan(planId);
    bobsDraft = (await merchant.createSubscription({ planId, customerId: "bob", payer: newPayer() })).contractAddress;
    alice = new RecurClient(server.url, { customerToken: (await merchant.createCustomerToken("alice")).token });
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  it("lets a customer list plans, create a draft for themself and ask for its activation", async () => {
    assert.ok((await alice.listPlans()).plans.some((plan) => plan.id === planId));
    const draft = await alice.createSubscription({ planId, customerId: "alice", payer: newPayer() });
    assert.equal(draft.customerId, "alice");
    assert.equal((await alice.activateSubscription(draft.contractAddress)).status, "Pending");
    const mine = (await alice.listSubscriptions()).subscriptions;
    assert.deepEqual(
      mine.map((s) => s.contractAddress),
      [draft.contractAddress],
    );
    assert.equal((await alice.getSubscription(draft.contractAddress)).customerId, "alice");
  });

  it("never shows or touches another customer's subscriptions", async () => {
    const before = await server.rowCounts();
    await assert.rejects(alice.getSubscription(bobsDraft), { status: 404 });
    await assert.rejects(alice.activateSubscription(bobsDraft), { status: 404 });
    await assert.rejects(alice.listSubscriptions({ customerId: "bob" }), { status: 403 });
    await assert.rejects(alice.createSubscription({ planId, customerId: "bob", payer: newPayer() }), {
      status: 403,
      message: /its own customer/,
    });
    assert.ok(
      (await alice.listSubscriptions({ payer: (await merchant.getSubscription(bobsDraft)).payer })).subscriptions
        .length === 0,
    );
    assert.deepEqual(await server.rowCounts(), before);
    assert.equal((await merchant.getSubscription(bobsDraft)).status, "Draft");
  });

  it("is confined to the merchant that issued it", async () => {
    const theirPlan = await server.otherMerchant.client.createPlan({
      name: "Theirs",
      amount: "1 tUSD",
      periodSeconds: 86_400,
    });
    await server.otherMerchant.client.activatePlan(theirPlan.id);
    assert.ok(!(await alice.listPlans()).plans.some((plan) => plan.id === theirPlan.id));
    await assert.rejects(alice.createSubscription({ planId: theirPlan.id, customerId: "alice", payer: newPayer() }), {
      status: 404,
    });
  });

  it("reads the storefront: the branding and the Active plans, each with the payee of its chain", async () => {
    const draftPlan = await merchant.createPlan({ name: "Unreleased", amount: "9 tUSD", periodSeconds: 86_400 });
    const storefront = await alice.getStorefront();
    assert.equal(storefront.customerId, "alice");
    assert.deepEqual(storefront.branding, await merchant.getBranding());
    const offered = storefront.plans.find((plan) => plan.id === planId);
    assert.equal(offered?.payee, server.merchant.payout);
    assert.equal(offered?.amount, "3 tUSD");
    assert.ok(storefront.plans.every((plan) => plan.status === "Active"));
    assert.ok(!storefront.plans.some((plan) => plan.id === draftPlan.id));
    const theirs = await server.otherMerchant.client.getStorefront();
    assert.equal(theirs.customerId, null);
    assert.ok(!theirs.plans.some((plan) => plan.id === planId));
    await assert.rejects(new RecurClient(server.url, { customerToken: "ct_forged.x" }).getStorefront(), {
      status: 401,
    });
  });

  it("answers a widget's cross-origin calls from the configured payer-page origin only, without credentials", async () => {
    const widgetOrigin = "http://127.0.0.1:5173"; // the default RECUR_CHECKOUT_URL's origin
    const preflight = (origin: string, method: string, path: string) =>
      fetch(new URL(path, server.url), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": method,
          "access-control-request-headers": "authorization,content-type",
        },
      });
    for (const [method, path] of [
      ["GET", "/integration/storefront"],
      ["GET", "/integration/subscriptions"],
      ["POST", "/integration/subscriptions"],
      ["POST", `/integration/subscriptions/${bobsDraft}/activate`],
    ] as const) {
      const allowed = await preflight(widgetOrigin, method, path);
      assert.equal(allowed.status, 204, `${method} ${path}`);
      assert.equal(allowed.headers.get("access-control-allow-origin"), widgetOrigin);
      assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /authorization/);
      assert.equal(allowed.headers.get("access-control-allow-credentials"), null);
      const stranger = await preflight("https://evil.example", method, path);
      assert.equal(stranger.headers.get("access-control-allow-origin"), null, `${method} ${path}`);
    }
    // a merchant-only action on the same path family is not opened to browsers
    const pause = await preflight(widgetOrigin, "POST", `/integration/subscriptions/${bobsDraft}/pause`);
    assert.equal(pause.headers.get("access-control-allow-origin"), null);
    const token = (await merchant.createCustomerToken("alice")).token;
    const read = await fetch(new URL("/integration/storefront", server.url), {
      headers: { origin: widgetOrigin, authorization: `Bearer ${token}` },
    });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get("access-control-allow-origin"), widgetOrigin);
  });

  it("cannot mint tokens, rotate keys or create checkout sessions", async () => {
    await assert.rejects(alice.createCustomerToken("alice"), { status: 401 });
    await assert.rejects(alice.rotateApiKey(), { status: 401 });
    await assert.rejects(
      alice.createCheckoutSession({
        planId,
        customerId: "alice",
        successUrl: "https://a.example",
        cancelUrl: "https://a.example",
      }),
      { status: 401 },
    );
  });
});
