import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, getAddress, parseEventLogs, zeroAddress } from "viem";
import { unpackBatchCharges } from "../../server/chain/batchCharges.js";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms, type Terms } from "../helpers/makeTerms.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

const DAY = 24 * 3600;
const MONTH = 30 * DAY;

/** `chargeable()` reason codes, in the contract's order. */
const Reason = {
  Ok: 0,
  NotDue: 1,
  Paused: 2,
  Cancelled: 3,
  Finished: 4,
  AllowanceTooLow: 5,
  BalanceTooLow: 6,
} as const;

describe("a keeper batch with mixed outcomes", { timeout: 300_000 }, () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
  }, hookTimeouts.stopping);

  /** Activates a subscription for a fresh payer holding `balance`, approving `periods` periods. */
  async function subscribe(balance: bigint, periods: bigint, overrides: Partial<Terms> = {}) {
    const { keeper, payee, operator } = await getActors(connection);
    const { networkHelpers, viem } = connection;
    const token = recur.tokens.standard;
    const payer = (await viem.getWalletClient(await freshPayer())).account.address;
    await token.write.mint([payer, balance]);
    const terms = makeTerms(
      Number(await networkHelpers.time.latest()),
      { token: token.address, payer, payee: payee.account.address, operator: operator.account.address },
      overrides,
    );
    const address = await recur.factory.read.predict([terms]);
    await token.write.approve([address, terms.amount * periods], { account: payer });
    await recur.factory.write.activate([terms], { account: keeper.account });
    return viem.getContractAt("Subscription", address);
  }

  let payerCount = 0;
  async function freshPayer(): Promise<Address> {
    // a template literal types as string: this one is 0x and 40 hex digits
    const address = `0x${(0xfa11_0000 + ++payerCount).toString(16).padStart(40, "0")}` as Address;
    await connection.networkHelpers.impersonateAccount(address);
    await connection.networkHelpers.setBalance(address, 10n ** 18n);
    return address;
  }

  it("charges only the chargeable subscriptions, reports each one, and explains the others", async () => {
    const { networkHelpers, viem } = connection;
    const { keeper } = await getActors(connection);
    const amount = 10_000_000n;
    const ok = await subscribe(amount * 10n, 12n);
    const paused = await subscribe(amount * 10n, 12n);
    const cancelled = await subscribe(amount * 10n, 12n);
    const finished = await subscribe(amount * 10n, 1n, { maxPeriods: 1 });
    const allowanceTooLow = await subscribe(amount * 10n, 1n);
    const balanceTooLow = await subscribe(amount, 12n);
    const notDue = await subscribe(amount * 10n, 12n, {
      startAt: Number(await networkHelpers.time.latest()) + 2 * MONTH,
    });
    await paused.write.pause({ account: (await paused.read.terms()).payer });
    await cancelled.write.cancel({ account: (await cancelled.read.terms()).payer });
    await networkHelpers.time.increase(MONTH);

    const batch = [ok, paused, cancelled, finished, allowanceTooLow, balanceTooLow, notDue];
    const reasons = await Promise.all(batch.map((s) => s.read.chargeable()));
    assert.deepEqual(reasons, [
      Reason.Ok,
      Reason.Paused,
      Reason.Cancelled,
      Reason.Finished,
      Reason.AllowanceTooLow,
      Reason.BalanceTooLow,
      Reason.NotDue,
    ]);

    const addresses = [...batch.map((s) => s.address), zeroAddress];
    const { result } = await recur.factory.simulate.chargeMany([addresses], { account: keeper.account.address });
    assert.deepEqual(result, [true, false, false, false, false, false, false, false], "simulation tells the keeper");
    const hash = await recur.factory.write.chargeMany([addresses], { account: keeper.account });
    const receipt = await (await viem.getPublicClient()).waitForTransactionReceipt({ hash });

    const announced = parseEventLogs({
      abi: recur.factory.abi,
      logs: receipt.logs,
      eventName: "SubscriptionsCharged",
    });
    const state = await ok.read.state();
    assert.deepEqual(
      announced.map((log) => unpackBatchCharges(log.args.charges)),
      [[{ subscription: getAddress(ok.address), periodIndex: 2, nextDueAt: state.nextDueAt }]],
      "one event for the batch: the chargeable one, its period and its next due time",
    );
    assert.equal(
      parseEventLogs({ abi: ok.abi, logs: receipt.logs, eventName: "SubscriptionCharged" }).length,
      0,
      "no event per subscription",
    );
    assert.equal(state.periodsCharged, 2);
    for (const other of batch.slice(1)) {
      const before = other === notDue ? 0 : 1;
      assert.equal((await other.read.state()).periodsCharged, before, "untouched");
    }
  });
});
