import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import type { Address } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startFlakyRpcProxy } from "../../test/support/startFlakyRpcProxy.js";
import { type Platform, startPlatform } from "../../test/support/startPlatform.js";
import { chainTransactions, subscriptionRequests } from "../db/schema.js";

/** The worker through an RPC endpoint that drops a fifth of its requests and delays another fifth. */
describe(`the worker on an unreliable RPC endpoint (${testEngine})`, { timeout: 1_200_000 }, () => {
  let platform: Platform;
  let proxy: Awaited<ReturnType<typeof startFlakyRpcProxy>>;
  const logged: { level: number; msg: string; task?: string }[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    });
    platform = await startPlatform(
      {},
      {
        rpcUrl: async (nodeUrl) => {
          proxy = await startFlakyRpcProxy(nodeUrl, { dropRate: 0.2, delayRate: 0.2, delayMs: 400 });
          return proxy.url;
        },
        log: pino({ level: "warn" }, sink),
      },
    );
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
    await proxy?.close();
  }, hookTimeouts.stopping);

  it("still activates and charges every subscription, treating the failures as worth retrying", async () => {
    const merchant = platform.server.merchant.client;
    const plan = await merchant.createPlan({ name: "Weekly", amount: "2 tUSDT", periodSeconds: 604_800 });
    await merchant.activatePlan(plan.id);
    const addresses: string[] = [];
    for (let i = 0; i < 8; i++) {
      const payer = await platform.newPayer();
      const draft = await merchant.createSubscription({
        planId: plan.id,
        customerId: `cus-${i}`,
        payer: payer.address,
      });
      await platform.approve(payer, draft);
      await merchant.activateSubscription(draft.contractAddress);
      addresses.push(draft.contractAddress);
    }
    let seen = "";
    const charged = async (periods: number) => {
      const all = await Promise.all(addresses.map((address) => merchant.getSubscription(address)));
      seen = all
        .map(
          (s) =>
            `${s.status} ${s.periodsCharged} [${s.charges.map((c) => c.status).join(",")}] ${s.statusReason ?? ""}`,
        )
        .join("; ");
      return all.every(
        (s) =>
          s.status === "Active" && s.periodsCharged === periods && s.charges.every((c) => c.status === "Succeeded"),
      )
        ? true
        : undefined;
    };
    // on a timeout, say where each subscription stood and what the worker warned about
    const explain = async (error: Error) => {
      const { db } = platform.server.services;
      const requests = await db.select().from(subscriptionRequests);
      const transactions = await db.select().from(chainTransactions);
      assert.fail(
        `${error.message}: ${seen}\nrequests: ${JSON.stringify(requests.map(({ params, ...row }) => row))}` +
          `\ntransactions: ${JSON.stringify(
            transactions.map(({ raw, ...row }) => row),
            (_, v) => (typeof v === "bigint" ? String(v) : v),
          )}` +
          `\nworker warnings: ${JSON.stringify(logged.slice(-20))}`,
      );
    };
    await platform.waitFor("activations", () => charged(1), 240_000).catch(explain);
    await platform.travel(604_800);
    await platform.waitFor("charges", () => charged(2), 240_000).catch(explain);

    assert.ok(proxy.stats.dropped > 5, `the proxy dropped ${proxy.stats.dropped} requests`);
    assert.ok(proxy.stats.delayed > 5, `the proxy delayed ${proxy.stats.delayed} requests`);
    const errors = logged.filter((entry) => entry.level >= 50);
    assert.deepEqual(errors, [], "dropped and delayed requests are never logged as errors, only retried");
  });

  it("sends a transaction whose broadcast was lost again before the next one, so its nonce never blocks the wallet", async () => {
    const merchant = platform.server.merchant.client;
    const plan = await merchant.createPlan({ name: "Lost broadcast", amount: "3 tUSDT", periodSeconds: 604_800 });
    await merchant.activatePlan(plan.id);
    const subscribe = async (customerId: string) => {
      const payer = await platform.newPayer();
      const draft = await merchant.createSubscription({ planId: plan.id, customerId, payer: payer.address });
      await platform.approve(payer, draft);
      await merchant.activateSubscription(draft.contractAddress);
      // the API answers addresses as strings (its schema types them so)
      return draft.contractAddress as Address;
    };

    // every broadcast is lost: the first activation is journalled with its nonce but never reaches the node
    proxy.dropMethod("eth_sendRawTransaction");
    const first = await subscribe("lost-1");
    await platform.waitFor("the request executor to give up on the lost broadcast", async () => {
      const { db } = platform.server.services;
      const journal = await db
        .select()
        .from(chainTransactions)
        .where(and(eq(chainTransactions.purpose, "activate"), eq(chainTransactions.status, "Sent")));
      const [request] = await db
        .select()
        .from(subscriptionRequests)
        .where(eq(subscriptionRequests.contractAddress, first));
      const lost = journal.some((row) => row.subscriptions.includes(first));
      return lost && request?.lastError ? true : undefined;
    });
    proxy.dropMethod(undefined);

    // the next transaction from the same wallet first sends the lost one again: both activate
    const second = await subscribe("lost-2");
    const active = (address: string) => async () =>
      (await merchant.getSubscription(address)).status === "Active" ? true : undefined;
    const explain = async (error: Error) => {
      const { db } = platform.server.services;
      const requests = await db.select().from(subscriptionRequests);
      const transactions = await db.select().from(chainTransactions);
      assert.fail(
        `${error.message}\nrequests: ${JSON.stringify(requests.filter((r) => [first, second].includes(r.contractAddress)).map(({ params, ...row }) => row))}` +
          `\ntransactions: ${JSON.stringify(
            transactions.slice(-4).map(({ raw, ...row }) => row),
            (_, v) => (typeof v === "bigint" ? String(v) : v),
          )}` +
          `\nworker warnings: ${JSON.stringify(logged.slice(-5))}`,
      );
    };
    await platform.waitFor("the first activation", active(first)).catch(explain);
    await platform.waitFor("the second activation", active(second)).catch(explain);
  });
});
