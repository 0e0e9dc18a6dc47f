import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import type { Address } from "viem";
import { unpackBatchCharges } from "../../server/chain/batchCharges.js";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms } from "../helpers/makeTerms.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

const DAY = 24 * 3600;

/** A `SubscriptionsCharged` word as the factory documents it: address, then periodIndex at bit 160, nextDueAt at 176. */
function packCharge(subscription: Address, periodIndex: number, nextDueAt: number): bigint {
  return BigInt(subscription) | (BigInt(periodIndex) << 160n) | (BigInt(nextDueAt) << 176n);
}
const MONTH = 30 * DAY;

describe("a subscription charged over many periods", { timeout: 300_000 }, () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
  }, hookTimeouts.stopping);

  /** Activates fresh terms for `periods` periods, approved in full; returns the subscription and its anchor. */
  async function activated(periods: number) {
    const { viem, networkHelpers } = connection;
    const { keeper, payee, operator, payer } = await getActors(connection);
    const token = recur.tokens.standard;
    await token.write.mint([payer.account.address, 10n ** 12n]);
    const terms = makeTerms(
      Number(await networkHelpers.time.latest()),
      {
        token: token.address,
        payer: payer.account.address,
        payee: payee.account.address,
        operator: operator.account.address,
      },
      { maxPeriods: periods },
    );
    const address = await recur.factory.read.predict([terms]);
    await token.write.approve([address, terms.amount * BigInt(periods)], { account: payer.account });
    await recur.factory.write.activate([terms], { account: keeper.account });
    const subscription = await viem.getContractAt("Subscription", address);
    return { terms, subscription, anchor: (await subscription.read.state()).nextDueAt - terms.period };
  }

  it("charges once per period on the anchored schedule until maxPeriods, then finishes", async () => {
    const { viem, networkHelpers } = connection;
    const { keeper, payee, payer } = await getActors(connection);
    const { factory, tokens } = recur;
    const { terms, subscription, anchor } = await activated(4);
    const payeeBefore = (await tokens.standard.read.balanceOf([payee.account.address])) - terms.amount;

    // the keeper runs late every time: 3 days, then 40 days, skipping a period that is never collected later
    await networkHelpers.time.increaseTo(anchor + MONTH + 3 * DAY);
    await viem.assertions.emitWithArgs(
      factory.write.chargeMany([[subscription.address]], { account: keeper.account }),
      factory,
      "SubscriptionsCharged",
      [[packCharge(subscription.address, 2, anchor + 2 * MONTH)]],
    );
    await networkHelpers.time.increaseTo(anchor + 3 * MONTH + 10 * DAY);
    await factory.write.chargeMany([[subscription.address]], { account: keeper.account });
    assert.equal((await subscription.read.state()).nextDueAt, anchor + 4 * MONTH, "next boundary after the outage");
    assert.equal(await subscription.read.chargeable(), 1, "NotDue again within the same period");

    await networkHelpers.time.increaseTo(anchor + 4 * MONTH);
    await viem.assertions.emitWithArgs(
      subscription.write.charge({ account: keeper.account }),
      subscription,
      "SubscriptionFinished",
      [payer.account.address, payee.account.address, 4n],
    );

    const state = await subscription.read.state();
    assert.equal(state.status, 4, "Finished");
    assert.equal(state.periodsCharged, 4);
    const paid = (await tokens.standard.read.balanceOf([payee.account.address])) - payeeBefore;
    assert.equal(paid, terms.amount * 4n, "four periods, one of them missed and not collected");
    assert.equal(await tokens.standard.read.allowance([payer.account.address, subscription.address]), 0n);
    await networkHelpers.time.increase(MONTH);
    await viem.assertions.revertWithCustomErrorWithArgs(
      subscription.write.charge({ account: keeper.account }),
      subscription,
      "NotActive",
      [4],
    );
  });

  it("leaves enough in its logs to rebuild every subscription's state without reading state", async () => {
    const { viem, networkHelpers } = connection;
    const { keeper, payer } = await getActors(connection);
    const publicClient = await viem.getPublicClient();
    const fromBlock = await publicClient.getBlockNumber();
    const { subscription } = await activated(12);
    const { factory } = recur;
    // charged directly, in a batch (late, so a period is skipped), paused and resumed, in a batch again
    await networkHelpers.time.increase(MONTH);
    await subscription.write.charge({ account: keeper.account });
    await networkHelpers.time.increase(2 * MONTH + 5 * DAY);
    await factory.write.chargeMany([[subscription.address]], { account: keeper.account });
    await subscription.write.pause({ account: payer.account });
    await networkHelpers.time.increase(7 * DAY);
    await subscription.write.unpause({ account: payer.account });
    await networkHelpers.time.increase(MONTH);
    await factory.write.chargeMany([[subscription.address]], { account: keeper.account });
    await subscription.write.pause({ account: payer.account });

    const factoryLogs = await publicClient.getContractEvents({
      address: factory.address,
      abi: factory.abi,
      fromBlock,
      strict: true,
    });
    const activation = factoryLogs.find((log) => log.eventName === "SubscriptionActivated");
    assert.ok(activation?.eventName === "SubscriptionActivated");
    const { subscription: address, ...fields } = activation.args;
    const terms = {
      ...fields,
      period: Number(fields.period),
      startAt: Number(fields.startAt),
      maxPeriods: Number(fields.maxPeriods),
      activateBy: Number(fields.activateBy),
      salt: Number(fields.salt),
    };
    assert.equal(await factory.read.predict([terms]), address, "the logged terms prove the address");

    // replay the subscription's own events and the batches that name it, in chain order
    const ownLogs = await publicClient.getContractEvents({ address, abi: subscription.abi, fromBlock, strict: true });
    const logs = [...factoryLogs, ...ownLogs].sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : Number(a.blockNumber - b.blockNumber),
    );
    const rebuilt = { status: "None", periodsCharged: 0, nextDueAt: 0 };
    for (const log of logs) {
      if (log.eventName === "SubscriptionActivated" && log.args.subscription === address) {
        Object.assign(rebuilt, { status: "Active", nextDueAt: terms.startAt });
      } else if (log.eventName === "SubscriptionCharged") {
        rebuilt.periodsCharged = Number(log.args.periodIndex);
        rebuilt.nextDueAt = Number(log.args.nextDueAt);
      } else if (log.eventName === "SubscriptionsCharged") {
        for (const charge of unpackBatchCharges(log.args.charges)) {
          if (charge.subscription !== address) continue;
          rebuilt.periodsCharged = charge.periodIndex;
          rebuilt.nextDueAt = charge.nextDueAt;
        }
      } else if (log.eventName === "SubscriptionPaused") {
        rebuilt.status = "Paused";
      } else if (log.eventName === "SubscriptionUnpaused") {
        Object.assign(rebuilt, { status: "Active", nextDueAt: Number(log.args.nextDueAt) });
      }
    }

    const state = await subscription.read.state();
    assert.deepEqual(rebuilt, {
      status: "Paused",
      periodsCharged: state.periodsCharged,
      nextDueAt: state.nextDueAt,
    });
    assert.equal(state.status, 2, "Paused on chain too");
    assert.equal(state.periodsCharged, 4, "activation, direct, two batches");
  });
});
