import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { type Address, erc20Abi, type Hex } from "viem";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform, subscriptionAbi } from "../../test/support/startPlatform.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";
import { chainHints } from "../db/schema.js";

const DAY = 86_400;

/** `hint-update-state` is public: what a stranger can make it store is bounded. */
describe(`hint-update-state, bounded for strangers (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ RECUR_HINT_RATE_LIMIT: "5" });
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);

  it("stores a hash once, only for a configured chain, and answers a flood from one address with 429", async () => {
    const anyone = new RecurClient(server.url);
    const hash = `0x${"cd".repeat(32)}`;
    assert.deepEqual(await anyone.hintUpdateState(hash, "localhost"), { isAccepted: true });
    assert.deepEqual(await anyone.hintUpdateState(hash.toUpperCase().replace("0X", "0x"), "localhost"), {
      isAccepted: true,
    });
    assert.equal((await server.rowCounts()).chain_hints, 1, "the same hash, in any case, is one row");
    await assert.rejects(anyone.hintUpdateState(`0x${"01".repeat(32)}`, "mars"), {
      status: 400,
      message: /Unknown blockchain "mars"/,
    });
    assert.equal((await server.rowCounts()).chain_hints, 1, "nothing stored for an unknown chain");

    // three requests so far; the limit is 5 a minute per client address
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${server.url}/integration/subscriptions/hint-update-state`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hash: `0x${i.toString(16).padStart(64, "e")}`, blockchain: "localhost" }),
      });
      answers.push(response.status);
      if (response.status === 429) {
        const body = (await response.json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), ["code", "message", "status"]);
        assert.deepEqual([body.status, body.code], [429, "TooManyRequests"]);
        assert.match(String(body.message), /retry in/i);
      } else {
        await response.body?.cancel();
      }
    }
    assert.deepEqual(answers, [200, 200, 429, 429, 429]);
    assert.equal((await server.rowCounts()).chain_hints, 3, "nothing stored past the limit");
  });
});

/**
 * What a hint makes the worker do, on a `hardhat node` whose indexer waits for 3 confirmations, with no blocks
 * mined but the test's own transactions: a payer's approval or pause reaches the subscription through the hint at
 * once, while the indexer alone sees it only once three more blocks are mined.
 */
describe(`hint-update-state makes the worker look at once (${testEngine})`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let anyone: RecurClient;
  let planId: string;

  before(async () => {
    platform = await startPlatform({}, { confirmations: 3 });
    anyone = new RecurClient(platform.server.url);
    const merchant = platform.server.merchant.client;
    planId = (await merchant.createPlan({ name: "Daily", amount: "1 tUSDC", periodSeconds: DAY })).id;
    await merchant.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
  }, hookTimeouts.stopping);

  /**
   * A draft charged at activation, its next charge a day later: the keeper sends nothing while a test runs, so no
   * block is mined but by the test, and the indexer's confirmations stay behind.
   */
  const draftOf = (payer: { address: string }) => ({
    planId,
    payer: payer.address,
    startFrom: new Date(Date.now() - 3_600_000).toISOString(),
  });

  const statusOf = async (address: string) => (await platform.server.merchant.client.getSubscription(address)).status;

  /** Milliseconds until `address` shows `status`. */
  async function timeUntil(address: string, status: string, started: number, timeoutMs = 30_000): Promise<number> {
    await platform.waitFor(
      `${address} ${status}`,
      async () => ((await statusOf(address)) === status ? true : undefined),
      timeoutMs,
    );
    return Date.now() - started;
  }

  async function mine(blocks: number) {
    for (let i = 0; i < blocks; i++)
      await platform.client.request({ method: "evm_mine" as never, params: [] as never });
  }

  async function hint(hash: Hex) {
    assert.deepEqual(await anyone.hintUpdateState(hash, "localhost"), { isAccepted: true });
  }

  async function processedHint(hash: Hex) {
    const [row] = await platform.server.database.db
      .select()
      .from(chainHints)
      .where(and(eq(chainHints.chainId, 31337), eq(chainHints.txHash, `0x${hash.slice(2).toLowerCase()}`)));
    return row;
  }

  it("activates an approved draft from its hint, while the indexer alone has not seen the approval", async () => {
    const merchant = platform.server.merchant.client;
    const [hinted, alone] = [await platform.newPayer(), await platform.newPayer()];
    const withHint = await merchant.createSubscription({ ...draftOf(hinted), customerId: "hinted" });
    const withoutHint = await merchant.createSubscription({ ...draftOf(alone), customerId: "alone" });

    await platform.approve(alone, withoutHint);
    const approval = await platform.approve(hinted, withHint);
    const started = Date.now();
    await hint(approval);
    const hintMs = await timeUntil(withHint.contractAddress, "Active", started);

    // the indexer alone: the other approval is as old, and still unseen, then and for a good while after
    assert.equal(await statusOf(withoutHint.contractAddress), "Draft", "the indexer alone had not activated it");
    const patience = Math.max(3_000, 5 * hintMs);
    await sleep(patience);
    assert.equal(await statusOf(withoutHint.contractAddress), "Draft", `still a Draft ${patience} ms later`);

    // three more blocks and the indexer catches up on its own
    const minedAt = Date.now();
    await mine(3);
    const indexerMs = await timeUntil(withoutHint.contractAddress, "Active", minedAt);
    console.log(
      `hint -> Active: ${hintMs} ms; indexer alone (3 confirmations): still Draft after ${hintMs + patience} ms, ` +
        `Active ${indexerMs} ms after 3 more blocks were mined`,
    );
    const row = await processedHint(approval);
    assert.ok(row?.processedAt, "the hint is marked looked at");
    assert.match(row.outcome ?? "", new RegExp(`approval of ${withHint.contractAddress}`));
  });

  it("shows a pause the payer sent from the wallet as Paused from its hint, while the indexer alone has not", async () => {
    const merchant = platform.server.merchant.client;
    const pair = [];
    for (const customerId of ["pause-hinted", "pause-alone"]) {
      const payer = await platform.newPayer();
      const draft = await merchant.createSubscription({ ...draftOf(payer), customerId });
      await platform.approve(payer, draft);
      await merchant.activateSubscription(draft.contractAddress);
      await timeUntil(draft.contractAddress, "Active", Date.now());
      // the API answers addresses as strings
      pair.push({ payer, address: draft.contractAddress as Address });
    }
    const [hinted, alone] = pair as [(typeof pair)[0], (typeof pair)[0]];
    await platform.send(alone.payer, { address: alone.address, abi: subscriptionAbi, functionName: "pause" });
    const pause = await platform.send(hinted.payer, {
      address: hinted.address,
      abi: subscriptionAbi,
      functionName: "pause",
    });
    const started = Date.now();
    await hint(pause);
    const hintMs = await timeUntil(hinted.address, "Paused", started);
    const patience = Math.max(3_000, 5 * hintMs);
    await sleep(patience);
    assert.equal(await statusOf(alone.address), "Active", `the indexer alone still shows Active ${patience} ms later`);
    const minedAt = Date.now();
    await mine(3);
    const indexerMs = await timeUntil(alone.address, "Paused", minedAt);
    console.log(
      `wallet pause, hint -> Paused: ${hintMs} ms; indexer alone: still Active after ${hintMs + patience} ms, ` +
        `Paused ${indexerMs} ms after 3 more blocks were mined`,
    );
  });

  it("changes nothing for an unrelated transaction or an unknown hash, drops the unknown one, and prunes", async () => {
    const { server } = platform;
    const payer = await platform.newPayer();
    const draft = await server.merchant.client.createSubscription({
      planId,
      customerId: "unrelated",
      payer: payer.address,
    });
    // a real transaction of the same token that approves someone else: nothing of this platform's
    const token = draft.approval.token as Address;
    const unrelated = await platform.send(payer, {
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      args: [platform.gasWallet, 10n ** 9n],
    });
    // a template literal types as string: this one is 0x and 64 hex digits
    const unknown = `0x${"5a".repeat(32)}` as Hex;
    const counts = await server.rowCounts();
    await hint(unrelated);
    await hint(unknown);
    const looked = await platform.waitFor("the unrelated hint looked at", async () => {
      const row = await processedHint(unrelated);
      return row?.processedAt ? row : undefined;
    });
    assert.equal(looked.outcome, "no subscription of this platform");
    assert.equal(await statusOf(draft.contractAddress), "Draft");

    // not mined (and never will be): looked at again a few times, then dropped
    await platform.waitFor("a first look at the unknown hash", async () =>
      ((await processedHint(unknown))?.attempts ?? 0) >= 1 ? true : undefined,
    );
    const dropped = await platform.waitFor("the unknown hash dropped", async () => {
      const row = await processedHint(unknown);
      if (row?.processedAt) return row;
      server.advanceClock(60);
      return undefined;
    });
    assert.equal(dropped.outcome, "dropped: no such transaction was mined");
    assert.ok(dropped.attempts >= 2, `looked at ${dropped.attempts} times`);
    // (reminders for the earlier tests' subscriptions may write events meanwhile: those are not the hints' doing)
    const after = await server.rowCounts();
    const ofSubscriptions = (rows: Record<string, number>) => [
      rows.subscriptions,
      rows.subscription_requests,
      rows.charges,
      rows.checkout_sessions,
    ];
    assert.deepEqual(ofSubscriptions(after), ofSubscriptions(counts), "no subscription, request or charge written");
    assert.equal(after.chain_hints, (counts.chain_hints ?? 0) + 2);

    // hints looked at are deleted some hours later
    server.advanceClock(7 * 3_600);
    await platform.waitFor("pruning", async () =>
      (await processedHint(unrelated)) === undefined && (await processedHint(unknown)) === undefined ? true : undefined,
    );
  });
});
