import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import type { Address } from "viem";
import { deployRecur, type Recur } from "../../test/helpers/deployRecur.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { implementationAddress, predictSubscriptionAddress } from "../chain/predictSubscriptionAddress.js";

describe(`the server and the contracts agree (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let connection: Awaited<ReturnType<typeof network.create>>;
  let recur: Recur;
  before(async () => {
    server = await startTestServer();
    connection = await network.create();
    recur = await deployRecur(connection);
  }, hookTimeouts.starting);
  after(async () => {
    await connection.close();
    await server.close();
  }, hookTimeouts.stopping);

  it("knows where the Ignition modules deploy the factory, the test tokens and accounts on a local chain", async () => {
    const local = server.services.config.chains.chainById(31337);
    assert.ok(local);
    assert.equal(local.factory, recur.factory.address);
    assert.equal(implementationAddress(local.factory), await recur.factory.read.IMPLEMENTATION());
    const deployed: Record<string, Address> = {
      tUSD: recur.tokens.standard.address,
      tUSDT: recur.tokens.usdtLike.address,
      tUSDC: recur.tokens.permit.address,
      tRUSD: recur.tokens.blacklistPausable.address,
      tFEE: recur.tokens.feeOnTransfer.address,
      tSUSD: recur.tokens.signaturePermit.address,
      tDAI: recur.tokens.daiLike.address,
    };
    for (const [code, address] of Object.entries(deployed)) {
      assert.equal(server.services.config.chains.token(code)?.token.address, address, code);
    }
    assert.equal(local.smartAccountFactory, recur.smartAccountFactory.address);
  });

  it("tells anyone the chains and tokens it bills on, without RPC URLs or tokens plans cannot use", async () => {
    const answer = await fetch(new URL("/chains", server.url));
    assert.equal(answer.status, 200);
    const text = await answer.text();
    assert.doesNotMatch(text, /rpc|127\.0\.0\.1:8545/i);
    const { chains } = JSON.parse(text) as {
      chains: {
        chainId: number;
        factory: string;
        smartAccountFactory: string | null;
        tokens: { code: string; address: string; permit: boolean; permitKind: string | null }[];
      }[];
    };
    assert.equal(chains.length, 1);
    assert.equal(chains[0]?.chainId, 31337);
    assert.equal(chains[0]?.factory, recur.factory.address);
    const tokens = Object.fromEntries(chains[0]?.tokens.map((token) => [token.code, token]) ?? []);
    assert.deepEqual(Object.keys(tokens).sort(), ["tDAI", "tRUSD", "tSUSD", "tUSD", "tUSDC", "tUSDT"]);
    assert.equal(tokens.tUSDC?.address, recur.tokens.permit.address);
    assert.equal(tokens.tUSDC?.permit, true);
    assert.equal(tokens.tUSDC?.permitKind, "eip2612");
    assert.deepEqual(
      [tokens.tSUSD?.permitKind, tokens.tDAI?.permitKind, tokens.tUSD?.permitKind],
      ["eip2612-bytes", "dai", null],
    );
    assert.equal(tokens.tUSD?.permit, false);
    assert.equal(chains[0]?.smartAccountFactory, recur.smartAccountFactory.address);
    const junk = await fetch(new URL("/chains?rpc=1", server.url));
    assert.equal(junk.status, 400);
  });

  it("hands out as a draft's contract address exactly what factory.predict returns, and activation deploys there", async () => {
    const { viem } = connection;
    const [, payer] = await viem.getWalletClients();
    assert.ok(payer);
    const client = server.merchant.client;
    const plan = await client.createPlan({ name: "On chain", amount: "10 tUSDC", periodSeconds: 2_592_000 });
    await client.activatePlan(plan.id);
    const draft = await client.createSubscription({ planId: plan.id, customerId: "c", payer: payer.account.address });

    const terms = {
      // the API answers addresses as strings
      token: draft.approval.terms.token as Address,
      payer: draft.approval.terms.payer as Address,
      payee: draft.approval.terms.payee as Address,
      operator: draft.approval.terms.operator as Address,
      amount: BigInt(draft.approval.terms.amount ?? ""),
      period: Number(draft.approval.terms.period),
      startAt: Number(draft.approval.terms.startAt),
      maxPeriods: Number(draft.approval.terms.maxPeriods),
      activateBy: Number(draft.approval.terms.activateBy),
      salt: Number(draft.approval.terms.salt),
    };
    assert.equal(await recur.factory.read.predict([terms]), draft.contractAddress);
    assert.equal(predictSubscriptionAddress(recur.factory.address, terms), draft.contractAddress);

    await recur.tokens.permit.write.mint([payer.account.address, 10n ** 9n]);
    await recur.tokens.permit.write.approve(
      // the API answers addresses as strings
      [draft.approval.spender as Address, BigInt(draft.approval.suggestedAllowance)],
      {
        account: payer.account,
      },
    );
    await recur.factory.write.activate([terms]);
    // the API answers addresses as strings
    const subscription = await viem.getContractAt("Subscription", draft.contractAddress as Address);
    assert.equal((await subscription.read.state()).periodsCharged, 1);
    assert.equal(await recur.tokens.permit.read.balanceOf([server.merchant.payout]), 10_000_000n);
  });
});
