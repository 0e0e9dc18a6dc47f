import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms } from "../helpers/makeTerms.js";

const DAY = 24 * 3600;
const MONTH = 30 * DAY;

describe("a subscription charged over many periods", () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  });
  after(async () => {
    await connection.close();
  });

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
      subscription,
      "SubscriptionCharged",
      [2n, BigInt(anchor + 2 * MONTH)],
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
    await networkHelpers.time.increase(MONTH);
    await subscription.write.charge({ account: keeper.account });
    await subscription.write.pause({ account: payer.account });

    const [activation, ...others] = await publicClient.getContractEvents({
      address: recur.factory.address,
      abi: recur.factory.abi,
      eventName: "SubscriptionActivated",
      fromBlock,
      strict: true,
    });
    assert.ok(activation);
    assert.equal(others.length, 0);
    const { subscription: address, ...fields } = activation.args;
    const terms = {
      ...fields,
      period: Number(fields.period),
      startAt: Number(fields.startAt),
      maxPeriods: Number(fields.maxPeriods),
      activateBy: Number(fields.activateBy),
      salt: Number(fields.salt),
    };
    assert.equal(await recur.factory.read.predict([terms]), address, "the logged terms prove the address");

    const logs = await publicClient.getContractEvents({ address, abi: subscription.abi, fromBlock, strict: true });
    assert.deepEqual(
      logs.map((log) => log.eventName),
      ["SubscriptionCharged", "SubscriptionCharged", "SubscriptionPaused"],
    );
    const lastCharge = logs.findLast((log) => log.eventName === "SubscriptionCharged");
    assert.ok(lastCharge?.eventName === "SubscriptionCharged");
    const state = await subscription.read.state();
    assert.equal(lastCharge.args.periodIndex, BigInt(state.periodsCharged), "charge count from the logs");
    assert.equal(lastCharge.args.nextDueAt, BigInt(state.nextDueAt), "next due time from the logs");
  });
});
