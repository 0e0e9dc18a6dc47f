import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  SmartyPaySubscriptions,
  type Subscription,
  type SubscriptionCharge,
  type SubscriptionPlan,
} from "smartypay-node-sdk";
import type { Address } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform, subscriptionAbi } from "../../test/support/startPlatform.js";
import type { Draft } from "../schemas/subscriptions.js";

type JsType = "string" | "number" | "object";

/*
 * The fields of the SDK's own types, checked by the compiler against them (`satisfies` fails if the SDK's types
 * gain, lose or rename a field), and by the test against what Recur answers.
 */
const PLAN_FIELDS = {
  id: "string",
  companyId: "number",
  description: "string",
  amount: "string",
  periodSeconds: "number",
  createdAt: "string",
  status: "string",
  tags: "object",
} as const satisfies Record<keyof SubscriptionPlan, JsType>;

/* `asset` and `blockchain` are unions of SmartyPay's own tokens and networks in the SDK: a deployment's are strings. */
const SUBSCRIPTION_FIELDS = {
  contractAddress: "string",
  planId: "string",
  asset: "string",
  blockchain: "string",
  customerId: "string",
  nextChargeAt: "string",
  payer: "string",
  createdAt: "string",
  metadata: "string",
  status: "string",
} as const satisfies Record<keyof Subscription, JsType>;

const CHARGE_FIELDS = {
  id: "string",
  contractAddress: "string",
  amount: "string",
  chargeDate: "string",
  status: "string",
} as const satisfies Record<keyof SubscriptionCharge, JsType>;

const PLAN_STATUSES = { Draft: true, Active: true, Archived: true } satisfies Record<SubscriptionPlan["status"], true>;
const SUBSCRIPTION_STATUSES = {
  Draft: true,
  Pending: true,
  Active: true,
  Suspended: true,
  PendingPause: true,
  Paused: true,
  PendingUnPause: true,
  Finished: true,
  PendingCancel: true,
  Cancelled: true,
  Error: true,
} satisfies Record<Subscription["status"], true>;
const CHARGE_STATUSES = {
  Pending: true,
  Succeeded: true,
  Retrying: true,
  Failed: true,
  Cancelled: true,
} satisfies Record<SubscriptionCharge["status"], true>;

/** Every field the SDK declares is there with the type it declares; `nullable` lists those Recur may leave null. */
function assertShape(value: object, fields: Record<string, JsType>, what: string, nullable: string[] = []) {
  for (const [field, type] of Object.entries(fields)) {
    const actual = (value as Record<string, unknown>)[field];
    if (actual === null && nullable.includes(field)) continue;
    assert.equal(typeof actual, type, `${what}.${field} is ${JSON.stringify(actual)}, the SDK declares ${type}`);
  }
}

function assertSubscription(subscription: Subscription, nullable: string[] = []) {
  assertShape(subscription, SUBSCRIPTION_FIELDS, "subscription", nullable);
  assert.ok(subscription.status in SUBSCRIPTION_STATUSES, `unknown status ${subscription.status}`);
}

/** The SDK rejects with an `Error` whose `response` is the parsed answer: show it when a call fails. */
async function call<T>(what: string, promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    const response = (error as { response?: unknown }).response;
    throw new Error(`${what} failed: ${(error as Error).message} ${JSON.stringify(response)}`);
  }
}

/** The unix second the SDK signs with (it rounds, rather than truncates, the time). */
const sdkSecond = () => Math.round(Date.now() / 1000);

/**
 * SmartyPay's published Node SDK (`smartypay-node-sdk`, installed from npm, unchanged) pointed at a running Recur
 * (API, worker, database, local chain), calling every method of `SmartyPaySubscriptions` through a subscription's
 * whole life.
 */
describe(`SmartyPay's Node SDK against Recur (${testEngine})`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let sdk: SmartyPaySubscriptions;
  let planId: string;

  before(async () => {
    platform = await startPlatform();
    const { merchant } = platform.server;
    const plan = await merchant.client.createPlan({ name: "SDK monthly", amount: "3 tUSDC", periodSeconds: 2_592_000 });
    await merchant.client.activatePlan(plan.id);
    planId = plan.id;
    sdk = new SmartyPaySubscriptions({
      publicKey: merchant.apiKey,
      secretKey: merchant.apiSecret,
      host: platform.server.url,
    });
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
  }, hookTimeouts.stopping);

  async function reaches(contractAddress: string, status: Subscription["status"]) {
    let last = "";
    return platform
      .waitFor(status, async () => {
        const subscription = await call("getSubscription", sdk.getSubscription({ contractAddress }));
        last = subscription.status;
        return subscription.status === status ? subscription : undefined;
      })
      .catch((error: Error) => assert.fail(`${error.message}: the subscription stayed ${last}`));
  }

  it("lists plans, creates, reads, activates, pauses, unpauses and cancels a subscription", async () => {
    const plans = await call("getActivePlans", sdk.getActivePlans());
    const plan = plans.find((candidate) => candidate.id === planId);
    assert.ok(plan, "the Active plan is listed");
    assertShape(plan, PLAN_FIELDS, "plan");
    assert.ok(plan.status in PLAN_STATUSES);
    assert.deepEqual([plan.amount, plan.status, plan.periodSeconds], ["3 tUSDC", "Active", 2_592_000]);

    const payer = await platform.newPayer();
    const created = await call(
      "createSubscription",
      sdk.createSubscription({ planId, payer: payer.address, customerId: "sdk-customer", metadata: "order-42" }),
    );
    // a draft has no next charge yet
    assertSubscription(created, ["nextChargeAt"]);
    assert.equal(created.status, "Draft");
    assert.deepEqual([created.planId, created.customerId, created.metadata], [planId, "sdk-customer", "order-42"]);
    const { contractAddress } = created;

    const byPayer = await call("getSubscriptionsByPayer", sdk.getSubscriptionsByPayer(payer.address));
    assert.deepEqual(
      byPayer.map((subscription) => subscription.contractAddress),
      [contractAddress],
    );

    // the SDK signs whole seconds, and both calls are a GET of one path: in the same second they carry one
    // signature, and both must be answered
    let sameSecond = false;
    for (let attempt = 0; attempt < 5 && !sameSecond; attempt++) {
      const second = sdkSecond();
      const read = await call("getSubscription", sdk.getSubscription({ contractAddress }));
      const charges = await call("getSubscriptionCharges", sdk.getSubscriptionCharges({ contractAddress }));
      assert.equal(read.contractAddress, contractAddress);
      assert.deepEqual(charges, []);
      sameSecond = sdkSecond() === second;
    }
    assert.ok(sameSecond, "getSubscription and getSubscriptionCharges were signed in the same second");

    // the payer approves what the draft's address asks for, on chain
    assert.ok("approval" in created, "Recur's draft says what to approve");
    await platform.approve(payer, created as unknown as Draft);
    const activating = await call("activateSubscription", sdk.activateSubscription({ contractAddress }));
    assertSubscription(activating, ["nextChargeAt"]);
    assert.ok(["Pending", "Active"].includes(activating.status), activating.status);
    const active = await reaches(contractAddress, "Active");
    assertSubscription(active);
    // the first period is charged at activation, or by the keeper moments later when the chain's clock is still
    // behind the "now" the SDK sent as startFrom (a local chain lags the wall clock under load)
    const [charge, ...others] = await platform
      .waitFor("the first charge", async () => {
        const charges = await call("getSubscriptionCharges", sdk.getSubscriptionCharges({ contractAddress }));
        return charges.some((candidate) => candidate.status === "Succeeded") ? charges : undefined;
      })
      .catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(active)}`));
    assert.ok(charge);
    assert.equal(others.length, 0);
    assertShape(charge, CHARGE_FIELDS, "charge");
    assert.ok(charge.status in CHARGE_STATUSES);
    assert.deepEqual([charge.status, charge.amount, charge.contractAddress], ["Succeeded", "3 tUSDC", contractAddress]);

    for (const [method, pending, done] of [
      ["pauseSubscription", "PendingPause", "Paused"],
      ["unpauseSubscription", "PendingUnPause", "Active"],
      ["cancelSubscription", "PendingCancel", "Cancelled"],
    ] as const) {
      const answered = await call(method, sdk[method]({ contractAddress }));
      assertSubscription(answered, method === "cancelSubscription" ? ["nextChargeAt"] : []);
      assert.ok(([pending, done] as string[]).includes(answered.status), `${method}: ${answered.status}`);
      await reaches(contractAddress, done);
    }
    const onChain = await platform.client.readContract({
      // the SDK answers addresses as strings
      address: contractAddress as Address,
      abi: subscriptionAbi,
      functionName: "state",
    });
    assert.equal(onChain.status, 3, "Cancelled on chain");
  });
});
