import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, encodeFunctionData, erc20Abi, type Hex, serializeErc6492Signature } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { smartAccountFactoryAbi, standardTokenAbi } from "../../generated/abis.js";
import { signDaiPermit, signPermitBytes } from "../../test/helpers/signTokenPermit.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform, type TestPayer } from "../../test/support/startPlatform.js";
import type { RecurClient } from "../client/RecurClient.js";

const MONTH = 30 * 86_400;

/**
 * Activation through the API with the permits that need no EOA signature split in v, r, s: a smart account's
 * bytes permit (ERC-1271), ERC-6492-wrapped while the account is not deployed, and DAI's permit, carried out by the
 * worker on a real local chain.
 */
describe(`activation with smart-account and DAI permits (${testEngine})`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let merchant: RecurClient;
  let funder: TestPayer;
  const plans: Record<string, string> = {};

  before(async () => {
    platform = await startPlatform();
    merchant = platform.server.merchant.client;
    funder = await platform.newPayer();
    for (const code of ["tSUSD", "tDAI"]) {
      const plan = await merchant.createPlan({ name: code, amount: `10 ${code}`, periodSeconds: MONTH, maxPeriods: 3 });
      await merchant.activatePlan(plan.id);
      plans[code] = plan.id;
    }
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
  }, hookTimeouts.stopping);

  function tokenOf(code: string) {
    const found = platform.server.services.config.chains.token(code);
    if (!found) throw new Error(`no ${code} on the local chain`);
    return found;
  }

  /** Gives `holder` 1,000 whole units of `code` (sent by the funder: the holder itself sends nothing). */
  async function fund(code: string, holder: Address) {
    const { token } = tokenOf(code);
    await platform.send(funder, {
      address: token.address,
      abi: standardTokenAbi,
      functionName: "mint",
      args: [holder, 1_000n * 10n ** BigInt(token.decimals)],
    });
  }

  async function activated(address: string) {
    return platform.waitFor("activation", async () => {
      const subscription = await merchant.getSubscription(address);
      return subscription.status === "Active" ? subscription : undefined;
    });
  }

  it("publishes the permit kinds and the local smart-account factory", async () => {
    const { chains } = await merchant.listChains();
    const local = chains.find((chain) => chain.chainId === 31337);
    assert.equal(local?.smartAccountFactory, tokenOf("tSUSD").chain.smartAccountFactory);
    const kinds = Object.fromEntries((local?.tokens ?? []).map((token) => [token.code, token.permitKind]));
    assert.deepEqual(
      { tUSD: kinds.tUSD, tUSDC: kinds.tUSDC, tSUSD: kinds.tSUSD, tDAI: kinds.tDAI },
      { tUSD: null, tUSDC: "eip2612", tSUSD: "eip2612-bytes", tDAI: "dai" },
    );
  });

  it("activates a counterfactual smart account from its ERC-6492 permit: the worker deploys it", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const smartAccountFactory = tokenOf("tSUSD").chain.smartAccountFactory;
    assert.ok(smartAccountFactory, "the local chain names its smart-account factory");
    const salt: Hex = `0x${"0".repeat(63)}1`;
    const account = await platform.client.readContract({
      address: smartAccountFactory,
      abi: smartAccountFactoryAbi,
      functionName: "getAddress",
      args: [owner.address, salt],
    });
    await fund("tSUSD", account);
    const draft = await merchant.createSubscription({
      planId: plans.tSUSD ?? "",
      customerId: "cus-sa",
      payer: account,
    });
    assert.equal(draft.approval.permitKind, "eip2612-bytes");
    const value = BigInt(draft.approval.suggestedAllowance);
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const inner = await signPermitBytes(platform.client, owner, {
      token: draft.approval.token as Address,
      holder: account,
      spender: draft.contractAddress as Address,
      value,
      deadline,
    });
    const signature = serializeErc6492Signature({
      address: smartAccountFactory,
      data: encodeFunctionData({
        abi: smartAccountFactoryAbi,
        functionName: "createAccount",
        args: [owner.address, salt],
      }),
      signature: inner,
    });

    await merchant.activateSubscription(draft.contractAddress, {
      kind: "eip2612-bytes",
      value: String(value),
      deadline: String(deadline),
      signature,
    });

    const subscription = await activated(draft.contractAddress);
    assert.equal(subscription.periodsCharged, 1);
    const allowance = await platform.client.readContract({
      address: draft.approval.token as Address,
      abi: erc20Abi,
      functionName: "allowance",
      args: [account, draft.contractAddress as Address],
    });
    assert.equal(allowance, value - 10_000_000n, "the permitted allowance, less the first period");
    assert.notEqual(await platform.client.getCode({ address: account }), undefined, "the account was deployed");
    assert.equal(await platform.client.getBalance({ address: owner.address }), 0n, "the owner paid no gas");
  });

  it("activates from a DAI permit", async () => {
    const payer = privateKeyToAccount(generatePrivateKey());
    await fund("tDAI", payer.address);
    const draft = await merchant.createSubscription({
      planId: plans.tDAI ?? "",
      customerId: "cus-dai",
      payer: payer.address,
    });
    assert.equal(draft.approval.permitKind, "dai");
    const { nonce, v, r, s } = await signDaiPermit(platform.client, payer, {
      token: draft.approval.token as Address,
      spender: draft.contractAddress as Address,
      expiry: 0n,
    });

    await merchant.activateSubscription(draft.contractAddress, {
      kind: "dai",
      nonce: String(nonce),
      expiry: "0",
      v,
      r,
      s,
    });

    const subscription = await activated(draft.contractAddress);
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(await platform.client.getBalance({ address: payer.address }), 0n, "the payer paid no gas");
  });

  it("refuses a permit the token cannot take, and a signature too long, naming the field", async () => {
    const draft = await merchant.createSubscription({
      planId: plans.tSUSD ?? "",
      customerId: "cus-wrong",
      payer: privateKeyToAccount(generatePrivateKey()).address,
    });
    const r: Hex = `0x${"1".repeat(64)}`;
    await assert.rejects(
      merchant.activateSubscription(draft.contractAddress, { kind: "dai", nonce: "0", expiry: "0", v: 27, r, s: r }),
      { status: 400, message: /A dai permit cannot activate a subscription in tSUSD, which takes eip2612-bytes/ },
    );
    await assert.rejects(
      merchant.activateSubscription(draft.contractAddress, {
        kind: "eip2612-bytes",
        value: "1",
        deadline: "1",
        signature: `0x${"ab".repeat(2_049)}`,
      }),
      { status: 400, message: /body\.permit\.signature: must be at most 2,048 bytes/ },
    );
    assert.equal((await merchant.getSubscription(draft.contractAddress)).status, "Draft", "nothing asked of the chain");
  });
});
