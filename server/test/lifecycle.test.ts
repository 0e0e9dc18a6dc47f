import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { type Address, erc20Abi } from "viem";
import { standardTokenAbi } from "../../generated/abis.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform, subscriptionAbi } from "../../test/support/startPlatform.js";
import { startWebhookReceiver } from "../../test/support/startWebhookReceiver.js";
import type { RecurClient } from "../client/RecurClient.js";
import { subscriptions } from "../db/schema.js";

const DAY = 86_400;
const MONTH = 30 * DAY;

/**
 * The whole life of subscriptions on a real local chain, through the API, with the worker in the same process:
 * activation, charges over accelerated time, a payer short of funds retried until recovery, a grace period running
 * out, a pause the payer makes in their wallet, and the last period finishing a subscription. Webhooks arrive
 * signed.
 */
describe(`subscription lifecycle on a local chain (${testEngine})`, { timeout: 1_200_000 }, () => {
  let platform: Platform;
  let merchant: RecurClient;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let planId: string;

  before(async () => {
    platform = await startPlatform({
      RECUR_RETRY_LADDER: "1h,6h",
      RECUR_REMINDER_LEAD: "2d",
      RECUR_WEBHOOK_FIRST_RETRY: "1s",
      // The gas wallet holds 100 ETH on the local chain; a 1000 ETH floor makes it read as low.
      RECUR_GAS_LOW_BALANCE: "1000",
      // the webhook receiver listens on loopback
      RECUR_WEBHOOK_ALLOW_PRIVATE: "on",
    });
    merchant = platform.server.merchant.client;
    receiver = await startWebhookReceiver(() => platform.server.merchant.apiSecret);
    await merchant.setWebhookUrl(receiver.url);
    const plan = await merchant.createPlan({
      name: "Monthly",
      amount: "10 tUSDC",
      periodSeconds: MONTH,
      maxPeriods: 3,
      gracePeriodSeconds: 3 * DAY,
    });
    planId = plan.id;
    await merchant.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
    await receiver?.close();
  }, hookTimeouts.stopping);

  async function status(address: string) {
    return merchant.getSubscription(address);
  }

  async function activeSubscription(customerId: string) {
    const payer = await platform.newPayer();
    const draft = await merchant.createSubscription({ planId, customerId, payer: payer.address });
    await platform.approve(payer, draft);
    await merchant.activateSubscription(draft.contractAddress);
    await platform.waitFor("activation", async () =>
      (await status(draft.contractAddress)).status === "Active" ? true : undefined,
    );
    return { payer, draft };
  }

  it("activates a draft once the payer has approved, charging the first period", async () => {
    const { draft } = await activeSubscription("cus-happy");
    const subscription = await status(draft.contractAddress);
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(subscription.charges.length, 1);
    assert.equal(subscription.charges[0]?.status, "Succeeded");
    assert.match(subscription.charges[0]?.txHash ?? "", /^0x[0-9a-f]{64}$/);
    const balance = await platform.client.readContract({
      // the API answers addresses as strings
      address: draft.approval.token as Address,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [platform.server.merchant.payout],
    });
    assert.ok(balance >= 10_000_000n);
  });

  it("keeps a draft whose allowance is short, saying why, and activates it when the approval comes", async () => {
    const payer = await platform.newPayer();
    const draft = await merchant.createSubscription({ planId, customerId: "cus-short", payer: payer.address });
    await merchant.activateSubscription(draft.contractAddress);
    const refused = await platform.waitFor("refusal", async () => {
      const s = await status(draft.contractAddress);
      return s.status === "Draft" && s.statusReason ? s : undefined;
    });
    assert.match(refused.statusReason ?? "", /approved 0 tUSDC for the subscription's address, less than 10 tUSDC/);
    const gasBefore = await platform.client.getTransactionCount({ address: platform.gasWallet });

    // the payer approves in their wallet; the indexer sees the Approval and the draft activates by itself
    await platform.approve(payer, draft);
    await platform.waitFor("activation after approval", async () =>
      (await status(draft.contractAddress)).status === "Active" ? true : undefined,
    );
    assert.equal(
      await platform.client.getTransactionCount({ address: platform.gasWallet }),
      gasBefore + 1,
      "no gas spent on the refusal",
    );
  });

  it("charges each period as chain time passes, retries a short payer on the ladder, recovers, then finishes", async () => {
    const { payer, draft } = await activeSubscription("cus-cycle");
    const address = draft.contractAddress;
    // the API answers addresses as strings
    const token = draft.approval.token as Address;

    await platform.travel(MONTH);
    await platform.waitFor("second charge", async () =>
      (await status(address)).periodsCharged === 2 ? true : undefined,
    );

    // the payer empties their wallet before the third period
    const balance = await platform.client.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [payer.address],
    });
    await platform.send(payer, {
      address: token,
      abi: erc20Abi,
      functionName: "transfer",
      args: [platform.gasWallet, balance],
    });
    await platform.travel(MONTH);
    const suspended = await platform.waitFor("suspension", async () => {
      const s = await status(address);
      return s.status === "Suspended" ? s : undefined;
    });
    assert.match(suspended.statusReason ?? "", /balance is below one period/);
    assert.equal(suspended.charges.at(-1)?.status, "Retrying");

    // the first retry, an hour later, fails again
    await platform.travel(3_600);
    await platform.waitFor("second attempt", async () => {
      const [charge] = (await merchant.listCharges({ contractAddress: address, statusIn: "Retrying" })).charges;
      return charge ? true : undefined;
    });

    // the payer tops up; the next rung (6 h) charges and the subscription recovers, and finishes at maxPeriods
    await platform.send(payer, {
      address: token,
      abi: standardTokenAbi,
      functionName: "mint",
      args: [payer.address, 10n ** 9n],
    });
    await platform.travel(6 * 3_600);
    const finished = await platform.waitFor("recovery", async () => {
      const s = await status(address);
      return s.status === "Finished" ? s : undefined;
    });
    assert.equal(finished.periodsCharged, 3);
    assert.deepEqual(
      finished.charges.map((charge) => charge.status),
      ["Succeeded", "Succeeded", "Succeeded"],
    );
  });

  it("cancels on chain as operator when the grace period runs out", async () => {
    const { payer, draft } = await activeSubscription("cus-grace");
    // the API answers addresses as strings
    const address = draft.contractAddress as Address;
    await platform.send(payer, {
      // the API answers addresses as strings
      address: draft.approval.token as Address,
      abi: erc20Abi,
      functionName: "approve",
      args: [address, 0n],
    });
    await platform.travel(MONTH);
    await platform.waitFor("suspension", async () =>
      (await status(address)).status === "Suspended" ? true : undefined,
    );
    // up the retry ladder: after each step of chain time, the keeper has made the attempt due by then (its next
    // one is later) or has stopped trying
    for (const hours of [1, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6]) {
      await platform.travel(hours * 3_600);
      const now = Number((await platform.client.getBlock()).timestamp) * 1000;
      const row = await platform.waitFor("the keeper's attempt at the charge due by now", async () => {
        const [found] = await platform.server.database.db
          .select()
          .from(subscriptions)
          .where(eq(subscriptions.contractAddress, address));
        return found && (found.status !== "Suspended" || (found.retryAt?.getTime() ?? 0) > now) ? found : undefined;
      });
      if (row.status !== "Suspended") break;
    }
    const cancelled = await platform.waitFor("cancellation", async () => {
      const s = await status(address);
      return s.status === "Cancelled" ? s : undefined;
    });
    assert.equal(cancelled.charges.at(-1)?.status, "Failed");
    const onChain = await platform.client.readContract({ address, abi: subscriptionAbi, functionName: "state" });
    assert.equal(onChain.status, 3, "Cancelled on chain");
  });

  it("shows a pause the payer makes in their wallet", async () => {
    const { payer, draft } = await activeSubscription("cus-pause");
    await platform.send(payer, {
      // the API answers addresses as strings
      address: draft.contractAddress as Address,
      abi: subscriptionAbi,
      functionName: "pause",
    });
    await platform.waitFor("the indexer to see the pause", async () =>
      (await status(draft.contractAddress)).status === "Paused" ? true : undefined,
    );
  });

  it("carries out the merchant's pause, unpause and cancel as operator", async () => {
    const { draft } = await activeSubscription("cus-operator");
    const address = draft.contractAddress;
    assert.equal((await merchant.pauseSubscription(address)).status, "PendingPause");
    await platform.waitFor("pause", async () => ((await status(address)).status === "Paused" ? true : undefined));
    assert.equal((await merchant.unpauseSubscription(address)).status, "PendingUnPause");
    await platform.waitFor("unpause", async () => ((await status(address)).status === "Active" ? true : undefined));
    assert.equal((await merchant.cancelSubscription(address)).status, "PendingCancel");
    await platform.waitFor("cancel", async () => ((await status(address)).status === "Cancelled" ? true : undefined));
  });

  it("reminds the merchant before a charge, saying whether the payer's funds cover it", async () => {
    const { draft } = await activeSubscription("cus-remind");
    await platform.travel(MONTH - DAY);
    const reminder = await platform.waitFor("the reminder", async () => {
      const mine = receiver.received.filter(
        (event) =>
          event.eventType === "UpcomingCharge" &&
          (event.body.subscription as { contractAddress: string }).contractAddress === draft.contractAddress,
      );
      return mine[0];
    });
    assert.equal(reminder.body.covered, true);
    assert.equal(reminder.body.amount, "10 tUSDC");
    const subscription = await status(draft.contractAddress);
    assert.equal(reminder.body.chargeAt, subscription.nextChargeAt);
  });

  it("warns when the gas wallet runs low, in the API and by webhook", async () => {
    const { gasWallets } = await merchant.listGasWallets();
    const wallet = gasWallets.find((candidate) => candidate.address === platform.gasWallet);
    assert.ok(wallet);
    assert.equal(wallet.low, true);
    assert.match(wallet.balance ?? "", /^\d+(\.\d+)? ETH$/);
    await platform.waitFor("the GasWalletLow webhook", async () =>
      receiver.received.find((event) => event.eventType === "GasWalletLow"),
    );
  });

  it("delivered every event once, signed with the merchant's API secret", async () => {
    await platform.waitFor("deliveries", async () => {
      const pending = await merchant.listWebhookEvents({ undelivered: true, limit: 100 });
      return pending.events.length === 0 ? true : undefined;
    });
    assert.ok(receiver.received.length > 10);
    assert.ok(receiver.received.every((event) => event.signatureValid));
    const ids = receiver.received.map((event) => event.eventId);
    assert.equal(new Set(ids).size, ids.length, "no event delivered twice");
    const types = new Set(receiver.received.map((event) => event.eventType));
    for (const type of [
      "SubscriptionStatusChanged",
      "ChargeSucceeded",
      "ChargeRetrying",
      "ChargeFailed",
      "UpcomingCharge",
      "GasWalletLow",
    ]) {
      assert.ok(types.has(type), `received a ${type}`);
    }
  });
});
