import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms } from "../helpers/makeTerms.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

const DAY = 24 * 3600;
const MONTH = 30 * DAY;

describe("pausing and unpausing", { timeout: 300_000 }, () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
  }, hookTimeouts.stopping);

  async function activeSubscription() {
    const { keeper, payee, operator, payer } = await getActors(connection);
    const token = recur.tokens.standard;
    await token.write.mint([payer.account.address, 10n ** 12n]);
    const terms = makeTerms(Number(await connection.networkHelpers.time.latest()), {
      token: token.address,
      payer: payer.account.address,
      payee: payee.account.address,
      operator: operator.account.address,
    });
    const address = await recur.factory.read.predict([terms]);
    await token.write.approve([address, terms.amount * 12n], { account: payer.account });
    await recur.factory.write.activate([terms], { account: keeper.account });
    const subscription = await connection.viem.getContractAt("Subscription", address);
    return { subscription, anchor: (await subscription.read.state()).nextDueAt - MONTH };
  }

  it("moves the schedule later by exactly the paused time, across several pauses", async () => {
    const { networkHelpers, viem } = connection;
    const { keeper, payer, operator } = await getActors(connection);
    const { subscription, anchor } = await activeSubscription();

    // the payer pauses 10 days into the first period, for 30 days: the charge due at 30 days cannot happen
    await networkHelpers.time.setNextBlockTimestamp(anchor + 10 * DAY);
    await subscription.write.pause({ account: payer.account });
    await networkHelpers.time.increaseTo(anchor + MONTH + 5 * DAY);
    assert.equal(await subscription.read.chargeable(), 2, "Paused");
    await viem.assertions.revertWithCustomErrorWithArgs(
      subscription.write.charge({ account: keeper.account }),
      subscription,
      "NotActive",
      [2],
    );
    await networkHelpers.time.setNextBlockTimestamp(anchor + 40 * DAY);
    await subscription.write.unpause({ account: payer.account });
    assert.equal((await subscription.read.state()).nextDueAt, anchor + MONTH + 30 * DAY);

    // then the operator pauses for 3 days
    await networkHelpers.time.setNextBlockTimestamp(anchor + 45 * DAY);
    await subscription.write.pause({ account: operator.account });
    await networkHelpers.time.setNextBlockTimestamp(anchor + 48 * DAY);
    await subscription.write.unpause({ account: operator.account });
    const due = anchor + MONTH + 33 * DAY;
    assert.equal((await subscription.read.state()).nextDueAt, due);

    await networkHelpers.time.setNextBlockTimestamp(due - 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      subscription.write.charge({ account: keeper.account }),
      subscription,
      "NotDue",
      [BigInt(due), BigInt(due - 1)],
    );
    await networkHelpers.time.setNextBlockTimestamp(due);
    await subscription.write.charge({ account: keeper.account });
    assert.equal((await subscription.read.state()).nextDueAt, due + MONTH, "the shifted schedule holds");
  });

  it("lets the operator lift its own pause but never the payer's", async () => {
    const { networkHelpers, viem } = connection;
    const { payer, operator } = await getActors(connection);
    const { subscription, anchor } = await activeSubscription();

    await subscription.write.pause({ account: operator.account });
    await networkHelpers.time.setNextBlockTimestamp(anchor + 3 * DAY);
    await subscription.write.unpause({ account: operator.account });
    await subscription.write.pause({ account: payer.account });

    await viem.assertions.revertWithCustomErrorWithArgs(
      subscription.write.unpause({ account: operator.account }),
      subscription,
      "Unauthorized",
      [operator.account.address],
    );
    await subscription.write.unpause({ account: payer.account });
    assert.equal((await subscription.read.state()).status, 1, "Active");
  });
});
