import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { testEngine } from "./support/openTestDatabase.js";
import { startFlakyRpcProxy } from "./support/startFlakyRpcProxy.js";
import { type Platform, startPlatform } from "./support/startPlatform.js";

/** The worker through an RPC endpoint that drops a fifth of its requests and delays another fifth. */
describe(`the worker on an unreliable RPC endpoint (${testEngine})`, () => {
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
  });
  after(async () => {
    await platform?.stop();
    await proxy?.close();
  });

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
    const charged = async (periods: number) => {
      const all = await Promise.all(addresses.map((address) => merchant.getSubscription(address)));
      return all.every(
        (s) =>
          s.status === "Active" && s.periodsCharged === periods && s.charges.every((c) => c.status === "Succeeded"),
      )
        ? true
        : undefined;
    };
    await platform.waitFor("activations", () => charged(1), 90_000);
    await platform.travel(604_800);
    await platform.waitFor("charges", () => charged(2), 90_000);

    assert.ok(proxy.stats.dropped > 5, `the proxy dropped ${proxy.stats.dropped} requests`);
    assert.ok(proxy.stats.delayed > 5, `the proxy delayed ${proxy.stats.delayed} requests`);
    const errors = logged.filter((entry) => entry.level >= 50);
    assert.deepEqual(errors, [], "dropped and delayed requests are never logged as errors, only retried");
  });
});
