import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, encodeFunctionData, maxUint256, serializeErc6492Signature } from "viem";
import { generatePrivateKey, type LocalAccount, privateKeyToAccount } from "viem/accounts";
import { type Connection, deployRecur, type Recur } from "../helpers/deployRecur.js";
import { getActors } from "../helpers/getActors.js";
import { makeTerms } from "../helpers/makeTerms.js";
import { signDaiPermit, signPermitBytes } from "../helpers/signTokenPermit.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

describe("activation with a smart account's or a DAI permit", { timeout: 300_000 }, () => {
  let connection: Connection;
  let recur: Recur;
  before(async () => {
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
  }, hookTimeouts.stopping);

  /** Terms in `token` for `payer`, who is given plenty of it; the deadline an hour from now. */
  async function termsFor(token: Address, payer: Address) {
    const { payee, operator } = await getActors(connection);
    const erc20 = await connection.viem.getContractAt("StandardToken", token);
    await erc20.write.mint([payer, 10n ** 24n]);
    const now = Number(await connection.networkHelpers.time.latest());
    const terms = makeTerms(now, { token, payer, payee: payee.account.address, operator: operator.account.address });
    return { terms, address: await recur.factory.read.predict([terms]), deadline: BigInt(now + 3600) };
  }

  /** A key that holds no ETH: whatever it signs, someone else pays for. */
  function newOwner(): LocalAccount {
    return privateKeyToAccount(generatePrivateKey());
  }

  /** `signer` (an EOA) sent no transaction and holds no ETH, nor does the smart account it signs for, if any. */
  async function assertPaidNothing(signer: Address, account?: Address) {
    const client = await connection.viem.getPublicClient();
    assert.equal(await client.getTransactionCount({ address: signer }), 0, "the signer sent no transaction");
    for (const holder of account ? [signer, account] : [signer]) {
      assert.equal(await client.getBalance({ address: holder }), 0n, `${holder} holds no ETH and spent none`);
    }
  }

  it("activates from a deployed smart account's one signature (ERC-1271), its owner paying no gas", async () => {
    const { keeper } = await getActors(connection);
    const owner = newOwner();
    const salt = `0x${"01".padStart(64, "0")}` as const;
    await recur.smartAccountFactory.write.createAccount([owner.address, salt], { account: keeper.account });
    const account = await recur.smartAccountFactory.read.getAddress([owner.address, salt]);
    const token = recur.tokens.signaturePermit;
    const { terms, address, deadline } = await termsFor(token.address, account);
    const value = terms.amount * 12n;
    const client = await connection.viem.getPublicClient();
    const signature = await signPermitBytes(client, owner, {
      token: token.address,
      holder: account,
      spender: address,
      value,
      deadline,
    });

    await recur.factory.write.activateWithPermitSignature([terms, value, deadline, signature], {
      account: keeper.account,
    });

    const subscription = await connection.viem.getContractAt("Subscription", address);
    assert.equal((await subscription.read.state()).periodsCharged, 1);
    assert.equal(await token.read.allowance([account, address]), value - terms.amount);
    await assertPaidNothing(owner.address, account);
  });

  it("deploys a counterfactual smart account from its ERC-6492 signature, and activates", async () => {
    const { keeper } = await getActors(connection);
    const owner = newOwner();
    const salt = `0x${"02".padStart(64, "0")}` as const;
    const account = await recur.smartAccountFactory.read.getAddress([owner.address, salt]);
    const token = recur.tokens.signaturePermit;
    const { terms, address, deadline } = await termsFor(token.address, account);
    const client = await connection.viem.getPublicClient();
    assert.equal(await client.getCode({ address: account }), undefined, "not deployed yet");
    const inner = await signPermitBytes(client, owner, {
      token: token.address,
      holder: account,
      spender: address,
      value: terms.amount,
      deadline,
    });
    const signature = serializeErc6492Signature({
      address: recur.smartAccountFactory.address,
      data: encodeFunctionData({
        abi: recur.smartAccountFactory.abi,
        functionName: "createAccount",
        args: [owner.address, salt],
      }),
      signature: inner,
    });

    await recur.factory.write.activateWithPermitSignature([terms, terms.amount, deadline, signature], {
      account: keeper.account,
    });

    const deployed = await connection.viem.getContractAt("SmartAccount", account);
    assert.equal(await deployed.read.owner(), owner.address, "the account was deployed");
    const subscription = await connection.viem.getContractAt("Subscription", address);
    assert.equal((await subscription.read.state()).periodsCharged, 1);
    await assertPaidNothing(owner.address, account);
  });

  it("activates from an EOA's 65-byte bytes permit", async () => {
    const payer = newOwner();
    const token = recur.tokens.signaturePermit;
    const { terms, address, deadline } = await termsFor(token.address, payer.address);
    const client = await connection.viem.getPublicClient();
    const signature = await signPermitBytes(client, payer, {
      token: token.address,
      holder: payer.address,
      spender: address,
      value: terms.amount,
      deadline,
    });
    assert.equal((signature.length - 2) / 2, 65);

    await recur.factory.write.activateWithPermitSignature([terms, terms.amount, deadline, signature]);

    assert.equal((await token.read.balanceOf([terms.payee])) >= terms.amount, true);
    assert.equal(await token.read.allowance([payer.address, address]), 0n, "the one period permitted, taken");
    await assertPaidNothing(payer.address);
  });

  it("activates from a DAI permit, whose allowance is unlimited by construction", async () => {
    const payer = newOwner();
    const token = recur.tokens.daiLike;
    const { terms, address } = await termsFor(token.address, payer.address);
    const client = await connection.viem.getPublicClient();
    const { nonce, v, r, s } = await signDaiPermit(client, payer, {
      token: token.address,
      spender: address,
      expiry: 0n,
    });

    await recur.factory.write.activateWithDaiPermit([terms, nonce, 0n, v, r, s]);

    const subscription = await connection.viem.getContractAt("Subscription", address);
    assert.equal((await subscription.read.state()).periodsCharged, 1);
    assert.equal(await token.read.allowance([payer.address, address]), maxUint256);
    assert.equal(await token.read.balanceOf([payer.address]), 10n ** 24n - terms.amount, "one period taken");
    await assertPaidNothing(payer.address);
  });
});
