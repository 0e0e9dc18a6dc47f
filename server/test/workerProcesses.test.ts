import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eq, sql } from "drizzle-orm";
import { type Address, createWalletClient, erc20Abi, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { subscriptionAbi, subscriptionFactoryAbi } from "../../generated/abis.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { type Platform, startPlatform, type TestPayer } from "../../test/support/startPlatform.js";
import { startWebhookReceiver } from "../../test/support/startWebhookReceiver.js";
import { startWorkerProcess, type WorkerProcess } from "../../test/support/startWorkerProcess.js";
import { chainTransactions, charges, outboxEvents, subscriptionRequests, subscriptions } from "../db/schema.js";
import { termsOf } from "../domain/subscriptions.js";

const MONTH = 30 * 86_400;

/**
 * Worker processes sharing one PostgreSQL: each due period charged exactly once whoever runs, every state change
 * reported by exactly one event delivered once, and a worker killed in the middle of a batch leaving nothing
 * double-charged, missed or stuck. PostgreSQL only: a PGlite data directory belongs to one process.
 */
if (process.env.RECUR_TEST_DATABASE_URL) {
  describe("worker processes on one PostgreSQL", { timeout: 1_200_000 }, () => {
    let platform: Platform;
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
    let planId: string;
    const workers: WorkerProcess[] = [];

    before(async () => {
      platform = await startPlatform(
        {
          RECUR_POLL_MS: "100",
          RECUR_LEASE: "5s",
          RECUR_KEEPER_BATCH: "20",
          RECUR_WEBHOOK_FIRST_RETRY: "1s",
          // the webhook receiver listens on loopback
          RECUR_WEBHOOK_ALLOW_PRIVATE: "on",
        },
        { inProcessWorker: false },
      );
      receiver = await startWebhookReceiver(() => platform.server.merchant.apiSecret);
      const merchant = platform.server.merchant.client;
      await merchant.request("POST", "/integration/webhooks/endpoint", { url: receiver.url });
      const plan = await merchant.createPlan({
        name: "Monthly",
        amount: "5 tUSD",
        periodSeconds: MONTH,
        maxPeriods: 12,
      });
      planId = plan.id;
      await merchant.activatePlan(planId);
    }, hookTimeouts.starting);
    after(async () => {
      for (const worker of workers) await worker.kill();
      await platform?.stop();
      await receiver?.close();
    }, hookTimeouts.stopping);

    /** `count` subscriptions of one payer, approved and activated on chain (their first period charged). */
    async function activeSubscriptions(count: number): Promise<{ payer: TestPayer; addresses: Address[] }> {
      const merchant = platform.server.merchant.client;
      const payer = await platform.newPayer(10n ** 30n);
      const addresses: Address[] = [];
      for (let i = 0; i < count; i++) {
        const draft = await merchant.createSubscription({ planId, customerId: `cus-${i}`, payer: payer.address });
        // the API answers addresses as strings
        addresses.push(draft.contractAddress as Address);
      }
      const token = platform.server.services.config.chains.token("tUSD")?.token.address;
      assert.ok(token);
      // the payer approves them all, and an outside account activates them all, as fast as the node takes them
      const payerWallet = createWalletClient({
        account: privateKeyToAccount(payer.key),
        chain: platform.chain,
        transport: http(platform.node.url),
      });
      const activator = await platform.newPayer(0n);
      const activatorWallet = createWalletClient({
        account: privateKeyToAccount(activator.key),
        chain: platform.chain,
        transport: http(platform.node.url),
      });
      const rows = await platform.server.database.db.select().from(subscriptions);
      const byAddress = new Map(rows.map((row) => [row.contractAddress, row]));
      let payerNonce = await platform.client.getTransactionCount({ address: payer.address });
      let activatorNonce = await platform.client.getTransactionCount({ address: activator.address });
      const hashes: `0x${string}`[] = [];
      for (const address of addresses) {
        hashes.push(
          await payerWallet.writeContract({
            address: token,
            abi: erc20Abi,
            functionName: "approve",
            args: [address, 10n ** 24n],
            nonce: payerNonce++,
          }),
        );
      }
      for (const address of addresses) {
        const row = byAddress.get(address);
        assert.ok(row);
        hashes.push(
          await activatorWallet.writeContract({
            address: platform.server.services.config.chains.chainById(31337)?.factory ?? "0x",
            abi: subscriptionFactoryAbi,
            functionName: "activate",
            args: [termsOf(row)],
            nonce: activatorNonce++,
            gas: 400_000n,
          }),
        );
      }
      for (const hash of hashes) {
        const receipt = await platform.client.waitForTransactionReceipt({ hash });
        assert.equal(receipt.status, "success");
      }
      return { payer, addresses };
    }

    async function onChainCharges(addresses: Address[]): Promise<number[]> {
      return Promise.all(
        addresses.map(
          async (address) =>
            (await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" }))
              .periodsCharged,
        ),
      );
    }

    async function dbCharged(addresses: Address[], periods: number): Promise<boolean> {
      const rows = await platform.server.database.db.select().from(subscriptions);
      const mine = rows.filter((row) => addresses.includes(row.contractAddress));
      return (
        mine.length === addresses.length &&
        mine.every((row) => row.periodsCharged === periods && row.status === "Active")
      );
    }

    it("two workers charge 200 due subscriptions, each due period exactly once, each event once", async () => {
      const { addresses } = await activeSubscriptions(200);
      await platform.travel(MONTH);
      workers.push(startWorkerProcess(platform.workerEnv), startWorkerProcess(platform.workerEnv));

      await platform.waitFor(
        "both workers to charge everything",
        async () => ((await dbCharged(addresses, 2)) ? true : undefined),
        120_000,
      );
      assert.deepEqual(
        await onChainCharges(addresses),
        addresses.map(() => 2),
        "every subscription charged twice on chain",
      );

      const db = platform.server.database.db;
      const [chargeRows] = await db
        .select({
          n: sql<number>`count(*)::int`,
          succeeded: sql<number>`count(*) filter (where status = 'Succeeded')::int`,
        })
        .from(charges);
      assert.equal(Number(chargeRows?.n), 400, "one charge row per period");
      assert.equal(Number(chargeRows?.succeeded), 400);
      const succeededEvents = await db.select().from(outboxEvents).where(eq(outboxEvents.eventType, "ChargeSucceeded"));
      const periods = succeededEvents.map((event) => {
        const charge = (event.payload as { charge: { contractAddress: string; periodIndex: number } }).charge;
        return `${charge.contractAddress}#${charge.periodIndex}`;
      });
      assert.equal(periods.length, 400, "one ChargeSucceeded per charged period");
      assert.equal(new Set(periods).size, 400, "never two events for one charge");

      // both workers took part: their transactions interleave in the journal
      const charging = await db.select().from(chainTransactions).where(eq(chainTransactions.purpose, "charge"));
      assert.ok(charging.length >= 10, `${charging.length} chargeMany transactions of at most 20`);

      await platform.waitFor(
        "every event delivered",
        async () => {
          const [pending] = await db
            .select({ n: sql<number>`count(*)::int` })
            .from(outboxEvents)
            .where(sql`${outboxEvents.deliveredAt} is null`);
          return Number(pending?.n) === 0 ? true : undefined;
        },
        60_000,
      );
      const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(outboxEvents);
      await sleep(1_500);
      const ids = receiver.received.map((event) => event.eventId);
      assert.equal(ids.length, Number(total?.n), "every event arrived, and none again after its success");
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(receiver.received.every((event) => event.signatureValid));
    });

    it("a worker killed in the middle of a batch, then restarted, charges nothing twice and misses nothing", async () => {
      for (const worker of workers.splice(0)) await worker.stop();
      const { addresses } = await activeSubscriptions(100);
      await platform.travel(MONTH);
      const worker = startWorkerProcess({ ...platform.workerEnv, RECUR_KEEPER_BATCH: "10" });
      workers.push(worker);
      // kill it as soon as some, not all, of them are charged on chain
      await platform.waitFor(
        "the first batches",
        async () => {
          const charged = (await onChainCharges(addresses)).filter((n) => n === 2).length;
          return charged > 0 && charged < addresses.length ? true : undefined;
        },
        60_000,
      );
      await worker.kill();
      const partly = (await onChainCharges(addresses)).filter((n) => n === 2).length;
      assert.ok(partly < addresses.length, "killed mid-way");

      const restarted = startWorkerProcess(platform.workerEnv);
      workers.push(restarted);
      const db = platform.server.database.db;
      const recorded = async () =>
        (await db.select().from(charges)).filter(
          (row) => addresses.includes(row.contractAddress) && row.status === "Succeeded",
        );
      // the charges the killed worker made are recorded too: from the chain's events, once its indexer lease lapses
      await platform.waitFor(
        "the restarted worker to finish",
        async () => ((await dbCharged(addresses, 2)) && (await recorded()).length === 200 ? true : undefined),
        120_000,
      );
      assert.deepEqual(
        await onChainCharges(addresses),
        addresses.map(() => 2),
        "charged exactly once more each",
      );
      const mine = (await db.select().from(charges)).filter((row) => addresses.includes(row.contractAddress));
      assert.equal(mine.length, 200, "one charge row per period, none duplicated");
      const stuck = await db.select().from(subscriptions).where(sql`${subscriptions.status} like 'Pending%'`);
      assert.deepEqual(
        stuck.map((row) => row.contractAddress),
        [],
        "no subscription left in a Pending status",
      );
      const open = await db.select().from(subscriptionRequests).where(eq(subscriptionRequests.status, "Pending"));
      assert.equal(open.length, 0, "no request left undone");
      await platform.waitFor(
        "the journal to settle",
        async () => {
          const unsettled = await db.select().from(chainTransactions).where(eq(chainTransactions.status, "Sent"));
          return unsettled.length === 0 ? true : undefined;
        },
        60_000,
      );
    });
  });
}
