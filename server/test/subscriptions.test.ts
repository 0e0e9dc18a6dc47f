import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import { type Address, getAddress, zeroAddress } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";
import { outboxEvents, subscriptionRequests } from "../db/schema.js";
import { InvalidRequestError } from "../domain/errors.js";
import { setMerchantChain } from "../domain/merchants.js";
import { createDraft } from "../domain/subscriptions.js";

const MONTH = 2_592_000;

describe(`subscriptions (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let client: RecurClient;
  let planId: string;
  before(async () => {
    server = await startTestServer();
    client = server.merchant.client;
    planId = (await client.createPlan({ name: "Monthly", amount: "10 tUSDC", periodSeconds: MONTH, maxPeriods: 6 })).id;
    await client.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  it("creates a draft with its future contract address and what the wallet must approve", async () => {
    const payer = newPayer();
    const draft = await client.createSubscription({ planId, customerId: "cus-1", payer, metadata: "order-42" });

    assert.equal(draft.status, "Draft");
    assert.match(draft.contractAddress, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(draft.contractAddress, getAddress(draft.contractAddress), "checksummed");
    assert.equal(draft.amount, "10 tUSDC");
    assert.equal(draft.payer, payer);
    assert.equal(draft.payee, server.merchant.payout);
    assert.equal(draft.maxPeriods, 6);
    assert.equal(draft.metadata, "order-42");
    assert.equal(draft.nextChargeAt, null);
    const lifetime = (Date.parse(draft.activateBy) - Date.parse(draft.createdAt)) / 1000;
    assert.ok(Math.abs(lifetime - 86_400) <= 1, `activateBy is a day after creation, not ${lifetime} s`);

    const { approval } = draft;
    assert.equal(approval.chainId, 31337);
    assert.equal(approval.spender, draft.contractAddress);
    assert.equal(approval.token, server.services.config.chains.token("tUSDC")?.token.address);
    assert.equal(approval.suggestedAllowance, String(10_000_000n * 6n), "amount x min(maxPeriods, 12)");
    assert.equal(approval.suggestedAllowanceAmount, "60 tUSDC");
    assert.equal(approval.permit, true);
    assert.equal(approval.approveZeroFirst, false);
    assert.equal(approval.terms.payer, payer);
    assert.equal(approval.terms.operator, server.merchant.gasWallet);
    assert.equal(approval.terms.period, String(MONTH));
  });

  it("caps the suggested allowance at 12 periods and flags tokens that need approve-0-first", async () => {
    const plan = await client.createPlan({
      name: "Tether",
      amount: "2.5 tUSDT",
      periodSeconds: 86_400,
      maxPeriods: 365,
    });
    await client.activatePlan(plan.id);
    const { approval } = await client.createSubscription({ planId: plan.id, customerId: "cus-1", payer: newPayer() });
    assert.equal(approval.suggestedAllowanceAmount, "30 tUSDT");
    assert.equal(approval.approveZeroFirst, true);
    assert.equal(approval.permit, false);
  });

  it("writes a Draft status event with the draft, both describing the row as stored", async () => {
    const draft = await client.createSubscription({ planId, customerId: "cus-events", payer: newPayer() });
    const events = await server.database.db
      .select()
      .from(outboxEvents)
      .where(eq(outboxEvents.merchantId, server.merchant.merchantId));
    const mine = events.filter(
      (event) =>
        (event.payload as { subscription?: { contractAddress?: string } }).subscription?.contractAddress ===
        draft.contractAddress,
    );
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.eventType, "SubscriptionStatusChanged");
    // the answer and the event are made from the values written (the draft is one statement, without RETURNING):
    // they must be what the database holds
    const { approval, ...created } = draft;
    const { charges, ...storedResource } = await client.getSubscription(draft.contractAddress);
    assert.deepEqual(charges, []);
    assert.deepEqual(created, storedResource);
    assert.deepEqual((mine[0]?.payload as { subscription?: unknown } | undefined)?.subscription, storedResource);
    assert.equal(approval.spender, draft.contractAddress);
  });

  it("refuses a payer whose mixed case breaks its EIP-55 checksum, or the zero address, naming body.payer", async () => {
    const payer = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    // one letter's case changed: what a typo in a copied address looks like
    const mistyped = "0x90f79bf6EB2c4f870365E785982E1f101E93b906";
    const before = await server.rowCounts();
    for (const [bad, message] of [
      [mistyped, /body\.payer: does not match its EIP-55 checksum/],
      [zeroAddress, /body\.payer: must not be the zero address/],
    ] as const) {
      await assert.rejects(
        client.createSubscription({ planId, customerId: "cus-checksum", payer: bad }),
        (error: { status: number; message: string; details?: { path: string }[] }) => {
          assert.equal(error.status, 400, bad);
          assert.match(error.message, message);
          assert.deepEqual(
            error.details?.map((detail) => detail.path),
            ["body.payer"],
          );
          return true;
        },
      );
      // the domain applies the same rule to callers that do not come through the API's schema
      await assert.rejects(
        server.database.db.transaction((tx) =>
          createDraft(tx, server.services, server.merchant.merchantId, { planId, customerId: "c", payer: bad }),
        ),
        (error) => {
          // a refusal of the domain's own, which the API answers with 400 (above)
          assert.ok(error instanceof InvalidRequestError, String(error));
          assert.match(error.message, message);
          assert.deepEqual(
            error.problems.map((problem) => problem.path),
            ["body.payer"],
          );
          return true;
        },
      );
    }
    // and so do the merchant's payout address and gas wallet, set by the operator
    for (const [field, settings] of [
      ["payoutAddress", { payoutAddress: mistyped, gasWalletAddress: server.merchant.gasWallet }],
      ["gasWalletAddress", { payoutAddress: server.merchant.payout, gasWalletAddress: zeroAddress }],
    ] as const) {
      await assert.rejects(
        setMerchantChain(server.database.db, server.merchant.merchantId, { chainId: 31337, ...settings }),
        { name: "MerchantChainError", message: new RegExp(`^${field} `) },
      );
    }
    assert.deepEqual(await server.rowCounts(), before, "nothing written");

    const lowercase = await client.createSubscription({
      planId,
      customerId: "cus-checksum",
      payer: payer.toLowerCase(),
    });
    assert.equal(lowercase.payer, payer, "all lowercase is valid, and stored checksummed");
    const checksummed = await client.createSubscription({ planId, customerId: "cus-checksum", payer });
    assert.equal(checksummed.payer, payer);
  });

  it("refuses drafts for missing, inactive or other merchants' plans, and bad payers, writing nothing", async () => {
    const draftPlan = await client.createPlan({ name: "Not yet", amount: "1 tUSD", periodSeconds: 86_400 });
    const before = await server.rowCounts();
    const cases: [Parameters<RecurClient["createSubscription"]>[0], number, RegExp][] = [
      [{ planId: "plan_nope", customerId: "c", payer: newPayer() }, 404, /No plan plan_nope/],
      [{ planId: draftPlan.id, customerId: "c", payer: newPayer() }, 409, /is Draft: only Active plans/],
      [{ planId, customerId: "c", payer: "0x123" }, 400, /body\.payer/],
      [{ planId, customerId: "c", payer: server.merchant.payout }, 400, /payout address/],
      [{ planId, customerId: "", payer: newPayer() }, 400, /body\.customerId/],
      [{ planId, customerId: "c", payer: newPayer(), startFrom: "tomorrow" as never }, 400, /ISO 8601/],
      [{ planId, customerId: "c", payer: newPayer(), maxPeriods: 0 }, 400, /body\.maxPeriods/],
    ];
    for (const [body, status, message] of cases) {
      await assert.rejects(client.createSubscription(body), (error: { status: number; message: string }) => {
        assert.equal(error.status, status, JSON.stringify(body));
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(
      server.otherMerchant.client.createSubscription({ planId, customerId: "c", payer: newPayer() }),
      {
        status: 404,
      },
    );
    assert.deepEqual(await server.rowCounts(), before);
  });

  it("charges at activation unless startFrom is more than a minute ahead: never a trial of a few seconds", async () => {
    const startingNow = [
      undefined,
      new Date(Date.now() - 86_400_000).toISOString(),
      // SmartyPay's SDK sends the merchant's "now", and the merchant's clock may run a little ahead of ours
      new Date().toISOString(),
      new Date(Date.now() + 30_000).toISOString(),
    ];
    for (const startFrom of startingNow) {
      const draft = await client.createSubscription({
        planId,
        customerId: "cus-now",
        payer: newPayer(),
        ...(startFrom ? { startFrom } : {}),
      });
      assert.equal(draft.approval.terms.startAt, "0", `startAt 0, "at activation", for startFrom ${startFrom}`);
      assert.equal(draft.startFrom, null, `no start time until activation, for startFrom ${startFrom}`);
    }
    const soon = new Date(Date.now() + 5 * 60_000);
    soon.setMilliseconds(0);
    const trial = await client.createSubscription({
      planId,
      customerId: "cus-now",
      payer: newPayer(),
      startFrom: soon.toISOString(),
    });
    assert.equal(trial.approval.terms.startAt, String(soon.getTime() / 1000), "five minutes ahead is a trial");
    assert.equal(trial.startFrom, soon.toISOString());
  });

  it("starts a trial when startFrom is later, and honours maxPeriods", async () => {
    const start = new Date(Date.now() + 14 * 86_400_000);
    start.setMilliseconds(0);
    const draft = await client.createSubscription({
      planId,
      customerId: "cus-trial",
      payer: newPayer(),
      startFrom: start.toISOString(),
      maxPeriods: 3,
    });
    assert.equal(draft.startFrom, start.toISOString());
    assert.equal(draft.approval.terms.startAt, String(start.getTime() / 1000));
    assert.equal(draft.maxPeriods, 3);
    assert.equal(draft.approval.suggestedAllowanceAmount, "30 tUSDC");
  });

  it("lists with filters and stable pages", async () => {
    const payer = newPayer();
    const mine = [];
    for (let i = 0; i < 4; i++) mine.push(await client.createSubscription({ planId, customerId: "cus-list", payer }));
    await client.cancelSubscription(mine[0]?.contractAddress ?? "");

    const byCustomer = (await client.listSubscriptions({ customerId: "cus-list", limit: 100 })).subscriptions;
    assert.deepEqual(new Set(byCustomer.map((s) => s.contractAddress)), new Set(mine.map((s) => s.contractAddress)));
    const byPayer = (await client.listSubscriptions({ payer: payer.toLowerCase(), limit: 100 })).subscriptions;
    assert.equal(byPayer.length, 4, "payer matches whatever its case");
    const drafts = (await client.listSubscriptions({ customerId: "cus-list", statusIn: "Draft,Pending" }))
      .subscriptions;
    assert.equal(drafts.length, 3);
    const paged = [
      ...(await client.listSubscriptions({ customerId: "cus-list", limit: 3 })).subscriptions,
      ...(await client.listSubscriptions({ customerId: "cus-list", limit: 3, offset: 3 })).subscriptions,
    ];
    assert.deepEqual(
      paged.map((s) => s.contractAddress),
      byCustomer.map((s) => s.contractAddress),
    );
    await assert.rejects(client.listSubscriptions({ limit: 101 }), { status: 400, message: /query\.limit/ });
    await assert.rejects(client.listSubscriptions({ statusIn: "Draft,Lost" }), {
      status: 400,
      message: /unknown status "Lost"/,
    });
    assert.equal(
      (await server.otherMerchant.client.listSubscriptions({ customerId: "cus-list" })).subscriptions.length,
      0,
    );
  });

  it("gets one subscription with its charges, and its public status", async () => {
    const draft = await client.createSubscription({ planId, customerId: "cus-get", payer: newPayer() });
    const got = await client.getSubscription(draft.contractAddress.toLowerCase());
    assert.equal(got.contractAddress, draft.contractAddress);
    assert.deepEqual(got.charges, []);
    const status = await new RecurClient(server.url).subscriptionStatus(draft.contractAddress);
    assert.deepEqual(status, { status: "Draft", allowance: null });
    await assert.rejects(server.otherMerchant.client.getSubscription(draft.contractAddress), { status: 404 });
    await assert.rejects(client.getSubscription("0xnot-an-address"), { status: 404 });
    await assert.rejects(new RecurClient(server.url).subscriptionStatus(newPayer()), { status: 404 });
  });

  it("moves through Pending statuses on request, records the work, and treats repeats as done", async () => {
    const draft = await client.createSubscription({ planId, customerId: "cus-actions", payer: newPayer() });
    // the API answers addresses as strings (its schema types them so)
    const address = draft.contractAddress as Address;
    const permit = {
      value: "60000000",
      deadline: "1999999999",
      v: 27,
      r: `0x${"1".repeat(64)}`,
      s: `0x${"2".repeat(64)}`,
    };

    assert.equal((await client.activateSubscription(address, permit)).status, "Pending");
    assert.equal((await client.activateSubscription(address)).status, "Pending", "asking again changes nothing");
    await assert.rejects(client.pauseSubscription(address), {
      status: 409,
      message: /Pending: it cannot be asked to pause/,
    });
    assert.equal((await client.cancelSubscription(address)).status, "PendingCancel");
    assert.equal((await client.cancelSubscription(address)).status, "PendingCancel");

    const requests = await server.database.db
      .select()
      .from(subscriptionRequests)
      .where(eq(subscriptionRequests.contractAddress, address));
    assert.deepEqual(requests.map((request) => request.action).sort(), ["activate", "cancel"]);
    assert.deepEqual(requests.find((request) => request.action === "activate")?.params, permit);
  });

  it("cancels a draft at once, and refuses to activate an expired one", async () => {
    const cancelled = await client.createSubscription({ planId, customerId: "cus-x", payer: newPayer() });
    assert.equal((await client.cancelSubscription(cancelled.contractAddress)).status, "Cancelled");
    await assert.rejects(client.activateSubscription(cancelled.contractAddress), { status: 409, message: /Cancelled/ });

    const shortLived = await startTestServer({ RECUR_DRAFT_LIFETIME_SECONDS: "1" });
    try {
      const merchant = shortLived.merchant.client;
      const plan = await merchant.createPlan({ name: "Quick", amount: "1 tUSD", periodSeconds: 86_400 });
      await merchant.activatePlan(plan.id);
      const stale = await merchant.createSubscription({ planId: plan.id, customerId: "cus-x", payer: newPayer() });
      await sleep(Date.parse(stale.activateBy) - Date.now() + 50);
      await assert.rejects(merchant.activateSubscription(stale.contractAddress), {
        status: 409,
        message: /expired at .*: create a new draft/,
      });
    } finally {
      await shortLived.close();
    }
  });

  it("lets only merchants pause, unpause and cancel through the API", async () => {
    const draft = await client.createSubscription({ planId, customerId: "cus-c", payer: newPayer() });
    const { token } = await client.createCustomerToken("cus-c");
    const customer = new RecurClient(server.url, { customerToken: token });
    for (const action of ["pause", "unpause", "cancel"] as const) {
      const call = {
        pause: customer.pauseSubscription,
        unpause: customer.unpauseSubscription,
        cancel: customer.cancelSubscription,
      }[action];
      await assert.rejects(call.call(customer, draft.contractAddress), { status: 401 });
    }
  });

  it("accepts a hint about a transaction once per hash, for a known chain", async () => {
    const anyone = new RecurClient(server.url);
    const hash = `0x${"ab".repeat(32)}`;
    assert.deepEqual(await anyone.hintUpdateState(hash, "localhost"), { isAccepted: true });
    assert.deepEqual(await anyone.hintUpdateState(hash, "localhost"), { isAccepted: true });
    assert.equal((await server.rowCounts()).chain_hints, 1);
    await assert.rejects(anyone.hintUpdateState(hash, "mars"), {
      status: 400,
      message: /Unknown blockchain "mars": use one of localhost/,
    });
    await assert.rejects(anyone.hintUpdateState("0x12", "localhost"), { status: 400, message: /body\.hash/ });
  });
});
