/**
 * Allowances on forked state. By default the tests start a local `hardhat node` (the "upstream" chain) with the test
 * tokens, fork it in-process and run everything on the fork; with RECUR_FORK_URL and RECUR_FORK_TOKENS set they fork
 * that chain instead (see the README). Either way the upstream chain must come out unchanged.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import { type Address, createPublicClient, getAddress, http } from "viem";
import RecurModule from "../../ignition/modules/Recur.js";
import type { Connection, Recur } from "../helpers/deployRecur.js";
import { makeTerms } from "../helpers/makeTerms.js";
import { signPermit } from "../helpers/signPermit.js";
import { startUpstreamChain, type UpstreamChain, type UpstreamTokens } from "../helpers/startUpstreamChain.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

const DAY = 24 * 3600;
const PERIOD = 30 * DAY;
const Reason = { Ok: 0, AllowanceTooLow: 5 } as const;

describe("allowances on a forked chain", { timeout: 600_000 }, () => {
  let upstream: UpstreamChain;
  let fork: Connection;
  let upstreamBefore: Awaited<ReturnType<typeof readUpstream>>;
  let factory: Recur["factory"];

  /** What the fork tests could conceivably have touched upstream. */
  async function readUpstream() {
    const client = createPublicClient({ transport: http(upstream.url), cacheTime: 0 });
    const fork = await network.create({ network: "upstream", override: { url: upstream.url } });
    try {
      const erc20 = (address: Address) => fork.viem.getContractAt("StandardToken", address);
      const balances = await Promise.all(
        Object.values(upstream.tokens).map(async ({ address, whale }) =>
          (await erc20(address)).read.balanceOf([whale]),
        ),
      );
      return { blockNumber: await client.getBlockNumber(), balances };
    } finally {
      await fork.close();
    }
  }

  before(async () => {
    upstream = await startUpstreamChain(process.env);
    upstreamBefore = await readUpstream();
    fork = await network.create({
      network: "fork",
      override: { forking: { url: upstream.url, blockNumber: upstreamBefore.blockNumber } },
    });
    ({ factory } = await fork.ignition.deploy(RecurModule, { strategy: "create2" }));
  }, hookTimeouts.starting);

  after(async () => {
    await fork?.close();
    await upstream?.stop();
  }, hookTimeouts.stopping);

  /** A payer on the fork holding 100 periods of `kind`, funded by the upstream whale; the period amount. */
  async function fundedPayer(kind: keyof UpstreamTokens, index: number) {
    const { viem, networkHelpers } = fork;
    const { address, whale } = upstream.tokens[kind];
    const payer = (await viem.getWalletClients())[index];
    assert.ok(payer, `the fork needs a wallet account #${index}`);
    const token = await viem.getContractAt("UsdtLikeToken", address);
    const amount = 10n * 10n ** BigInt(await token.read.decimals());
    await networkHelpers.impersonateAccount(whale);
    await networkHelpers.setBalance(whale, 10n ** 18n);
    await token.write.transfer([payer.account.address, amount * 100n], { account: whale });
    return { payer, amount, token };
  }

  async function termsFor(kind: keyof UpstreamTokens, payer: Address, amount: bigint) {
    const now = Number(await fork.networkHelpers.time.latest());
    const parties = {
      token: upstream.tokens[kind].address,
      payer,
      payee: getAddress("0x00000000000000000000000000000000000b0b00"),
      operator: getAddress("0x000000000000000000000000000000000000f0e0"),
    };
    return makeTerms(now, parties, { amount, period: PERIOD });
  }

  /** Sets an allowance the way the token needs it set: through zero for a Tether-like token. */
  async function approve(kind: keyof UpstreamTokens, payer: Address, spender: Address, value: bigint) {
    const token = await fork.viem.getContractAt("UsdtLikeToken", upstream.tokens[kind].address);
    if (kind === "usdtLike" && (await token.read.allowance([payer, spender])) !== 0n) {
      await token.write.approve([spender, 0n], { account: payer });
    }
    await token.write.approve([spender, value], { account: payer });
  }

  for (const [index, kind] of (["standard", "usdtLike", "permit"] as const).entries()) {
    it(`${kind}: approving the predicted address before deployment, then activation takes one period`, async () => {
      const { viem } = fork;
      const { payer, amount, token } = await fundedPayer(kind, 10 + index);
      const terms = await termsFor(kind, payer.account.address, amount);
      const address = await factory.read.predict([terms]);
      const publicClient = await viem.getPublicClient();

      await approve(kind, payer.account.address, address, amount * 3n);
      assert.equal(await publicClient.getCode({ address }), undefined, "nothing deployed at the approved address");
      assert.equal(await token.read.allowance([payer.account.address, address]), amount * 3n);

      const payerBefore = await token.read.balanceOf([payer.account.address]);
      await factory.write.activate([terms]);
      assert.equal(await token.read.allowance([payer.account.address, address]), amount * 2n, "exactly one period");
      assert.equal(payerBefore - (await token.read.balanceOf([payer.account.address])), amount);
      assert.equal(await token.read.balanceOf([terms.payee]), amount);

      // charge until the allowance runs out
      const subscription = await viem.getContractAt("Subscription", address);
      for (const left of [1n, 0n]) {
        await fork.networkHelpers.time.increase(PERIOD);
        assert.equal(await subscription.read.chargeable(), Reason.Ok);
        await factory.write.chargeMany([[address]]);
        assert.equal(await token.read.allowance([payer.account.address, address]), amount * left);
      }
      await fork.networkHelpers.time.increase(PERIOD);
      assert.equal(await subscription.read.chargeable(), Reason.AllowanceTooLow);
      await viem.assertions.revertWithCustomErrorWithArgs(
        subscription.write.charge(),
        subscription,
        "InsufficientAllowance",
        [0n, amount],
      );

      // top up (through zero for a Tether-like token) and the charges resume
      await approve(kind, payer.account.address, address, amount * 2n);
      await subscription.write.charge();
      assert.equal(await token.read.allowance([payer.account.address, address]), amount);
      assert.equal((await subscription.read.state()).periodsCharged, 4);

      // revoke and they stop
      await approve(kind, payer.account.address, address, 0n);
      await fork.networkHelpers.time.increase(PERIOD);
      assert.equal(await subscription.read.chargeable(), Reason.AllowanceTooLow);
      const { result } = await factory.simulate.chargeMany([[address]]);
      assert.deepEqual(result, [false]);
    });
  }

  it("usdtLike: changing a non-zero allowance directly is refused, so top-ups go through zero", async () => {
    const { payer, amount, token } = await fundedPayer("usdtLike", 13);
    const terms = await termsFor("usdtLike", payer.account.address, amount);
    const address = await factory.read.predict([terms]);
    await token.write.approve([address, amount], { account: payer.account.address });

    await assert.rejects(token.write.approve([address, amount * 5n], { account: payer.account.address }));
    assert.equal(await token.read.allowance([payer.account.address, address]), amount, "unchanged");
    await token.write.approve([address, 0n], { account: payer.account.address });
    await token.write.approve([address, amount * 5n], { account: payer.account.address });
    assert.equal(await token.read.allowance([payer.account.address, address]), amount * 5n);
  });

  it("permit: a signed permit activates without any approval transaction", async () => {
    const { viem } = fork;
    const { payer, amount } = await fundedPayer("permit", 14);
    const terms = await termsFor("permit", payer.account.address, amount);
    const address = await factory.read.predict([terms]);
    const token = await viem.getContractAt("PermitToken", upstream.tokens.permit.address);
    const deadline = BigInt(await fork.networkHelpers.time.latest()) + 3600n;
    const { v, r, s } = await signPermit(payer, token, address, amount * 12n, deadline);
    const payeeBefore = await token.read.balanceOf([terms.payee]);

    await factory.write.activateWithPermit([terms, amount * 12n, deadline, v, r, s]);

    assert.equal(await token.read.allowance([payer.account.address, address]), amount * 11n);
    assert.equal((await token.read.balanceOf([terms.payee])) - payeeBefore, amount, "first period paid");
  });

  it("leaves the upstream chain unchanged", async () => {
    assert.deepEqual(await readUpstream(), upstreamBefore);
  });
});
