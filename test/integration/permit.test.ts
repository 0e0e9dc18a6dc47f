import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms } from "../helpers/makeTerms.js";
import { signPermit } from "../helpers/signPermit.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

describe("activation with an EIP-2612 permit", { timeout: 300_000 }, () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
  }, hookTimeouts.stopping);

  async function permitTerms() {
    const { payee, operator, payer } = await getActors(connection);
    await recur.tokens.permit.write.mint([payer.account.address, 10n ** 12n]);
    return makeTerms(Number(await connection.networkHelpers.time.latest()), {
      token: recur.tokens.permit.address,
      payer: payer.account.address,
      payee: payee.account.address,
      operator: operator.account.address,
    });
  }

  it("activates from one off-chain signature, the payer sending no transaction", async () => {
    const { keeper, payer } = await getActors(connection);
    const token = recur.tokens.permit;
    const terms = await permitTerms();
    const address = await recur.factory.read.predict([terms]);
    const deadline = BigInt(await connection.networkHelpers.time.latest()) + 3600n;
    const value = terms.amount * 12n;
    const { v, r, s } = await signPermit(payer, token, address, value, deadline);
    const publicClient = await connection.viem.getPublicClient();
    const sentBefore = await publicClient.getTransactionCount({ address: payer.account.address });

    await recur.factory.write.activateWithPermit([terms, value, deadline, v, r, s], { account: keeper.account });

    const subscription = await connection.viem.getContractAt("Subscription", address);
    assert.equal((await subscription.read.state()).periodsCharged, 1);
    assert.equal(await token.read.allowance([payer.account.address, address]), value - terms.amount);
    const sentAfter = await publicClient.getTransactionCount({ address: payer.account.address });
    assert.equal(sentAfter, sentBefore, "the payer sent no transaction");
  });

  it("still activates when someone front-runs the permit with the same signature", async () => {
    const { keeper, payer, otherPayer } = await getActors(connection);
    const token = recur.tokens.permit;
    const terms = await permitTerms();
    const address = await recur.factory.read.predict([terms]);
    const deadline = BigInt(await connection.networkHelpers.time.latest()) + 3600n;
    const { v, r, s } = await signPermit(payer, token, address, terms.amount * 12n, deadline);
    await token.write.permit([payer.account.address, address, terms.amount * 12n, deadline, v, r, s], {
      account: otherPayer.account,
    });

    await recur.factory.write.activateWithPermit([terms, terms.amount * 12n, deadline, v, r, s], {
      account: keeper.account,
    });

    assert.equal(await token.read.allowance([payer.account.address, address]), terms.amount * 11n);
  });

  it("reverts with the allowance shortfall when the permit is invalid and nothing was approved", async () => {
    const { keeper, payer, otherPayer } = await getActors(connection);
    const terms = await permitTerms();
    const address = await recur.factory.read.predict([terms]);
    const deadline = BigInt(await connection.networkHelpers.time.latest()) + 3600n;
    // signed by someone who is not the payer
    const { v, r, s } = await signPermit(otherPayer, recur.tokens.permit, address, terms.amount, deadline);
    const nonceBefore = await recur.tokens.permit.read.nonces([payer.account.address]);

    await connection.viem.assertions.revertWithCustomErrorWithArgs(
      recur.factory.write.activateWithPermit([terms, terms.amount, deadline, v, r, s], { account: keeper.account }),
      recur.implementation,
      "InsufficientAllowance",
      [0n, terms.amount],
    );
    assert.equal(await recur.tokens.permit.read.nonces([payer.account.address]), nonceBefore, "no permit used");
    assert.equal(await connection.viem.getPublicClient().then((c) => c.getCode({ address })), undefined);
  });
});
