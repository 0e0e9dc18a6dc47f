import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";
import { merchants } from "../db/schema.js";

describe(`plans (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let client: RecurClient;
  before(async () => {
    server = await startTestServer();
    client = server.merchant.client;
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  it("creates a plan in Draft, with money as an exact decimal string", async () => {
    const plan = await client.createPlan({
      name: "Pro",
      description: "Everything",
      amount: "9.99 tUSDC",
      periodSeconds: 2_592_000,
      gracePeriodSeconds: 259_200,
      maxPeriods: 12,
      tags: ["monthly", "pro"],
    });
    assert.equal(plan.status, "Draft");
    assert.equal(plan.amount, "9.99 tUSDC");
    assert.equal(plan.asset, "tUSDC");
    assert.equal(plan.blockchain, "localhost");
    const [merchant] = await server.database.db
      .select({ companyId: merchants.companyId })
      .from(merchants)
      .where(eq(merchants.id, server.merchant.merchantId));
    assert.equal(typeof plan.companyId, "number", "a number, as SmartyPay's clients expect");
    assert.equal(plan.companyId, merchant?.companyId, "the merchant's number");
    assert.equal(plan.periodSeconds, 2_592_000);
    assert.equal(plan.gracePeriodSeconds, 259_200);
    assert.equal(plan.maxPeriods, 12);
    assert.deepEqual(plan.tags, ["monthly", "pro"]);
    assert.deepEqual(await client.getPlan(plan.id), plan);
  });

  it("takes the period as an interval times a frequency", async () => {
    const everyTwoWeeks = await client.createPlan({
      name: "Biweekly",
      amount: "1 tUSD",
      interval: "Week",
      frequency: 2,
    });
    assert.equal(everyTwoWeeks.periodSeconds, 2 * 604_800);
    const monthly = await client.createPlan({ name: "Monthly", amount: "1 tUSD", interval: "Month" });
    assert.equal(monthly.periodSeconds, 2_592_000);
    assert.equal(monthly.maxPeriods, 24, "SmartyPay's default number of periods");
  });

  it("lists only Active plans by default, and others when a merchant asks", async () => {
    const draft = await client.createPlan({ name: "Hidden", amount: "1 tUSD", periodSeconds: 86_400 });
    const active = await client.createPlan({ name: "Shown", amount: "1 tUSD", periodSeconds: 86_400 });
    await client.activatePlan(active.id);

    const listed = (await client.listPlans()).plans.map((plan) => plan.id);
    assert.ok(listed.includes(active.id));
    assert.ok(!listed.includes(draft.id));
    const drafts = (await client.listPlans({ statusIn: "Draft" })).plans.map((plan) => plan.id);
    assert.ok(drafts.includes(draft.id));
    assert.ok(!drafts.includes(active.id));
  });

  it("pages plans in a stable order", async () => {
    for (let i = 0; i < 5; i++) {
      await client.activatePlan(
        (await client.createPlan({ name: `Paged ${i}`, amount: "1 tUSD", periodSeconds: 3_600 })).id,
      );
    }
    const all = (await client.listPlans({ limit: 100 })).plans.map((plan) => plan.id);
    const pages = [
      ...(await client.listPlans({ limit: 2, offset: 0 })).plans,
      ...(await client.listPlans({ limit: 2, offset: 2 })).plans,
      ...(await client.listPlans({ limit: 100, offset: 4 })).plans,
    ].map((plan) => plan.id);
    assert.deepEqual(pages, all);
  });

  it("activates and archives; an archived plan stays archived", async () => {
    const plan = await client.createPlan({ name: "Lifecycle", amount: "5 tUSDT", periodSeconds: 604_800 });
    assert.equal((await client.activatePlan(plan.id)).status, "Active");
    assert.equal((await client.activatePlan(plan.id)).status, "Active", "activating again is harmless");
    assert.equal((await client.archivePlan(plan.id)).status, "Archived");
    await assert.rejects(client.activatePlan(plan.id), {
      status: 409,
      code: "Conflict",
      message: /Archived and cannot become Active/,
    });
  });

  it("refuses bad plans with the field and the fix, writing nothing", async () => {
    const before = await server.rowCounts();
    const cases: [Parameters<RecurClient["createPlan"]>[0], number, RegExp][] = [
      [{ name: "x", amount: "9.99 DOGE", periodSeconds: 86_400 }, 400, /unknown token "DOGE": use one of tUSD, tUSDT/],
      [{ name: "x", amount: "9.9999999 tUSDC", periodSeconds: 86_400 }, 400, /tUSDC has 6 decimals/],
      [{ name: "x", amount: "1 tFEE", periodSeconds: 86_400 }, 400, /keeps a fee on every transfer/],
      [{ name: "x", amount: "1 tUSD" }, 400, /needs a period/],
      [{ name: "x", amount: "1 tUSD", periodSeconds: 86_400, interval: "Day" }, 400, /not both/],
      [{ name: "x", amount: "1 tUSD", periodSeconds: 59 }, 400, /body\.periodSeconds/],
      [{ name: "", amount: "1 tUSD", periodSeconds: 86_400 }, 400, /body\.name/],
      [{ name: "x", amount: "1 tUSD", interval: "Fortnight" } as never, 400, /body\.interval/],
      [{ name: "x", amount: "1 tUSD", periodSeconds: 86_400, colour: "red" } as never, 400, /colour/],
    ];
    for (const [body, status, message] of cases) {
      await assert.rejects(
        client.createPlan(body),
        (error: { status: number; message: string; details?: unknown[] }) => {
          assert.equal(error.status, status, JSON.stringify(body));
          assert.match(error.message, message);
          return true;
        },
      );
    }
    assert.deepEqual(await server.rowCounts(), before);
  });

  it("hides other merchants' plans and shows customers only Active ones", async () => {
    const plan = await client.createPlan({ name: "Mine", amount: "1 tUSD", periodSeconds: 86_400 });
    await assert.rejects(server.otherMerchant.client.getPlan(plan.id), { status: 404 });
    await assert.rejects(server.otherMerchant.client.activatePlan(plan.id), { status: 404 });

    const { token } = await client.createCustomerToken("cus-1");
    const customer = new RecurClient(server.url, { customerToken: token });
    await assert.rejects(customer.getPlan(plan.id), { status: 403 });
    await assert.rejects(customer.listPlans({ statusIn: "Draft" }), { status: 403 });
    await assert.rejects(customer.createPlan({ name: "x", amount: "1 tUSD", periodSeconds: 86_400 }), { status: 401 });
    await client.activatePlan(plan.id);
    assert.equal((await customer.getPlan(plan.id)).id, plan.id);
  });
});
