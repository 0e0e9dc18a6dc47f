import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { artifacts } from "hardhat";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  http,
  parseGwei,
  toHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type Platform, startPlatform } from "../../test/support/startPlatform.js";
import { ChainAccess } from "../chain/ChainAccess.js";
import { localChain } from "../chain/localChain.js";
import type { RecurClient } from "../client/RecurClient.js";
import { chainTransactions, outboxEvents } from "../db/schema.js";
import { TransactionSender, TransactionWouldFailError } from "../worker/TransactionSender.js";

const DAY = 86_400;
const MONTH = 30 * DAY;
const AMOUNT = 10n * 10n ** 18n;

/** `HookedPayer.Hook`: what the contract payer's send hook does. */
const Hook = { Accept: 0, Refuse: 1, BurnAllGas: 2, Expensive: 3 } as const;

/**
 * The keeper charging batches that hold a subscription whose token calls back into its payer's code (a contract
 * payer that refuses the transfer, or burns all the gas it is given), on a real local chain through the API. A
 * subscription that fails on its own is suspended; the others in its batch are charged; and a batch that reverts as
 * a whole when mined is the batch's failure: its members are tried again in smaller batches, not suspended. (The
 * suite's timeout is a backstop: every wait inside has its own, shorter one.)
 */
describe(`the keeper's batches with a payer whose token hook misbehaves (${testEngine})`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let merchant: RecurClient;
  let planId: string;
  let hookToken: Address;
  let configDir: string | undefined;
  const hookTokenArtifact = artifacts.readArtifact("HookToken");
  const hookedPayerArtifact = artifacts.readArtifact("HookedPayer");

  before(async () => {
    configDir = await mkdtemp(path.join(tmpdir(), "recur-keeper-batches-"));
    const chainsFile = path.join(configDir, "chains.json");
    platform = await startPlatform(
      // a retry an hour after a failure, so the next period's batch sees the earlier failures again
      { RECUR_RETRY_LADDER: "1h", RECUR_LOCAL_CHAIN: "off", RECUR_CHAINS_FILE: chainsFile },
      {
        // the local chain as the server knows it, plus the hook token, which only this test deploys
        prepare: async (nodeUrl) => {
          const { abi, bytecode } = await hookTokenArtifact;
          hookToken = await deploy(nodeUrl, abi, bytecode, []);
          const local = localChain(nodeUrl);
          const { rpcUrl, ...chain } = local;
          const tokens = [...local.tokens, { code: "tHOOK", address: hookToken, decimals: 18 }];
          await writeFile(chainsFile, JSON.stringify({ chains: [{ ...chain, rpcUrl, tokens }] }));
          return {};
        },
      },
    );
    merchant = platform.server.merchant.client;
    const plan = await merchant.createPlan({
      name: "Hooked monthly",
      amount: "10 tHOOK",
      periodSeconds: MONTH,
      maxPeriods: 12,
      gracePeriodSeconds: 10 * DAY,
    });
    planId = plan.id;
    await merchant.activatePlan(planId);
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

  /** Deploys a contract from the node's first unlocked account; returns its address. */
  async function deploy(nodeUrl: string, abi: Abi, bytecode: Hex, args: unknown[]): Promise<Address> {
    const wallet = createWalletClient({ transport: http(nodeUrl) });
    const [from] = await wallet.getAddresses();
    if (!from) throw new Error("the node has no unlocked account");
    const hash = await wallet.deployContract({ abi, bytecode, args, account: from, chain: null });
    const receipt = await createPublicClient({ transport: http(nodeUrl) }).waitForTransactionReceipt({
      hash,
      pollingInterval: 50,
    });
    if (!receipt.contractAddress) throw new Error("deployment created no contract");
    return receipt.contractAddress;
  }

  async function status(address: string) {
    return merchant.getSubscription(address);
  }

  async function waitUntilActive(address: string) {
    await platform.waitFor("activation", async () => ((await status(address)).status === "Active" ? true : undefined));
  }

  /** An active subscription of an ordinary payer (an account without code). */
  async function healthySubscription(customerId: string): Promise<string> {
    const payer = await platform.newPayer(1_000n * AMOUNT);
    const draft = await merchant.createSubscription({ planId, customerId, payer: payer.address });
    await platform.approve(payer, draft);
    await merchant.activateSubscription(draft.contractAddress);
    await waitUntilActive(draft.contractAddress);
    return draft.contractAddress;
  }

  /** An active subscription whose payer is a `HookedPayer` owned by `owner`, its hook accepting for now. */
  async function hookedSubscription(customerId: string) {
    const owner = await platform.newPayer();
    const { abi, bytecode } = await hookedPayerArtifact;
    const payerContract = await deploy(platform.node.url, abi, bytecode, [owner.address]);
    const call = (functionName: string, args: readonly unknown[]) =>
      platform.send(owner, { address: payerContract, abi, functionName, args });
    await call("registerHook", [hookToken]);
    await platform.send(owner, {
      address: hookToken,
      abi: (await hookTokenArtifact).abi,
      functionName: "mint",
      args: [payerContract, 1_000n * AMOUNT],
    });
    const draft = await merchant.createSubscription({ planId, customerId, payer: payerContract });
    await call("approve", [hookToken, draft.contractAddress, 12n * AMOUNT]);
    await merchant.activateSubscription(draft.contractAddress);
    await waitUntilActive(draft.contractAddress);
    return { address: draft.contractAddress, owner, payerContract, abi };
  }

  /** The webhook events recorded for `address`, by type. */
  async function eventsOf(address: string): Promise<string[]> {
    const rows = await platform.server.database.db.select().from(outboxEvents);
    return rows
      .filter((row) => {
        const payload = row.payload as {
          subscription?: { contractAddress?: string };
          charge?: { contractAddress?: string };
        };
        return (payload.subscription?.contractAddress ?? payload.charge?.contractAddress) === address;
      })
      .map((row) => {
        const payload = row.payload as { subscription?: { status?: string } };
        return row.eventType === "SubscriptionStatusChanged" ? `status:${payload.subscription?.status}` : row.eventType;
      });
  }

  /** Asserts `address` was charged for its second period and never suspended, retried or failed. */
  async function assertChargedCleanly(address: string): Promise<void> {
    const subscription = await status(address);
    assert.equal(subscription.status, "Active", `${address} is active`);
    assert.equal(subscription.periodsCharged, 2, `${address} was charged for its second period`);
    assert.deepEqual(
      subscription.charges.map((charge) => charge.status),
      ["Succeeded", "Succeeded"],
      `${address} has two succeeded charges`,
    );
    const events = await eventsOf(address);
    assert.ok(!events.includes("status:Suspended"), `${address} was never suspended: ${events.join(", ")}`);
    assert.ok(!events.includes("ChargeRetrying") && !events.includes("ChargeFailed"), `${address}: no failed charge`);
  }

  it("charges the others in a batch and suspends only the payers whose hook refuses, burns its gas or costs too much", async () => {
    const refusing = await hookedSubscription("cus-refusing");
    const healthy = [await healthySubscription("cus-a"), await healthySubscription("cus-b")];
    const burning = await hookedSubscription("cus-burning");
    healthy.push(await healthySubscription("cus-c"));
    const expensive = await hookedSubscription("cus-expensive");
    healthy.push(await healthySubscription("cus-d"));
    for (const [hooked, hook] of [
      [refusing, Hook.Refuse],
      [burning, Hook.BurnAllGas],
      [expensive, Hook.Expensive],
    ] as const) {
      await platform.send(hooked.owner, {
        address: hooked.payerContract,
        abi: hooked.abi,
        functionName: "setHook",
        args: [hook],
      });
    }

    await platform.travel(MONTH);

    for (const address of healthy) {
      await platform.waitFor(`the charge of ${address}`, async () =>
        (await status(address)).periodsCharged === 2 ? true : undefined,
      );
    }
    for (const [{ address }, why] of [
      [refusing, /the token refused the transfer/],
      [burning, /the token refused the transfer/],
      [expensive, /needs more gas than a batch gives each charge/],
    ] as const) {
      const suspended = await platform.waitFor(`the suspension of ${address}`, async () => {
        const s = await status(address);
        return s.status === "Suspended" ? s : undefined;
      });
      assert.match(suspended.statusReason ?? "", why);
      assert.equal(suspended.periodsCharged, 1);
      assert.equal(suspended.charges.at(-1)?.status, "Retrying");
    }
    for (const address of healthy) await assertChargedCleanly(address);
  });

  it("splits a batch that reverts when mined and charges its members in smaller ones, suspending none of them", async () => {
    const { client } = platform;
    const rpc = (method: string, params: unknown[] = []) =>
      client.request({ method: method as never, params: params as never });
    // the hooked one first: its budget burnt early leaves too little gas for the charges after it
    const switching = await hookedSubscription("cus-switching");
    const healthy = [
      await healthySubscription("cus-e"),
      await healthySubscription("cus-f"),
      await healthySubscription("cus-g"),
    ];
    const journalBefore = await platform.server.database.db
      .select()
      .from(chainTransactions)
      .where(eq(chainTransactions.sender, platform.gasWallet));

    // blocks are mined by hand from here: the keeper's batch waits in the pool while the payer switches its hook
    await rpc("evm_setAutomine", [false]);
    let keeperBatch: Hex | undefined;
    try {
      await platform.travel(MONTH);
      const latest = await client.getTransactionCount({ address: platform.gasWallet });
      await platform.waitFor("the keeper's batch in the pool", async () =>
        (await client.getTransactionCount({ address: platform.gasWallet, blockTag: "pending" })) > latest
          ? true
          : undefined,
      );
      // simulated and estimated with the hook accepting; mined after the payer switched it to burn all its gas
      const wallet = createWalletClient({
        account: privateKeyToAccount(switching.owner.key),
        chain: platform.chain,
        transport: http(platform.node.url),
      });
      const switchHash = await wallet.writeContract({
        address: switching.payerContract,
        abi: switching.abi,
        functionName: "setHook",
        args: [Hook.BurnAllGas],
        maxPriorityFeePerGas: parseGwei("100"),
        maxFeePerGas: parseGwei("1000"),
      });
      await rpc("evm_mine");
      const block = await client.getBlock({ blockTag: "latest" });
      assert.equal(block.transactions[0], switchHash, "the switch went first, paying the higher tip");
      keeperBatch = block.transactions[1];
      assert.ok(keeperBatch, "the keeper's batch was mined in the same block");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const reverted = await client.getTransactionReceipt({ hash: keeperBatch });
    assert.equal(reverted.status, "reverted", "the batch reverted when mined");

    for (const address of healthy) {
      await platform.waitFor(`the charge of ${address}`, async () =>
        (await status(address)).periodsCharged === 2 ? true : undefined,
      );
    }
    const suspended = await platform.waitFor("the suspension of the switching payer", async () => {
      const s = await status(switching.address);
      return s.status === "Suspended" ? s : undefined;
    });
    assert.match(suspended.statusReason ?? "", /the token refused the transfer/);
    for (const address of healthy) await assertChargedCleanly(address);

    // the journal has the revert, and every nonce since it is used once, in order, as the chain counts them
    const journal = (
      await platform.server.database.db
        .select()
        .from(chainTransactions)
        .where(eq(chainTransactions.sender, platform.gasWallet))
    ).filter((row) => !journalBefore.some((earlier) => earlier.hash === row.hash));
    const revertedRow = journal.find((row) => row.hash === keeperBatch);
    assert.equal(revertedRow?.status, "Reverted");
    assert.equal(revertedRow?.purpose, "charge");
    for (const address of [switching.address, ...healthy]) {
      assert.ok(
        revertedRow?.subscriptions.some((held) => held === address),
        `the reverted batch held ${address}`,
      );
    }
    const later = journal.filter((row) => row.nonce > (revertedRow?.nonce ?? 0) && row.purpose === "charge");
    assert.ok(later.length > 0, "smaller batches followed");
    assert.ok(
      later.every((row) => row.status === "Mined"),
      "and were mined",
    );
    const nonces = journal
      .filter((row) => row.status !== "Dropped")
      .map((row) => row.nonce)
      .sort((a, b) => a - b);
    const first = nonces[0] ?? 0;
    assert.deepEqual(
      nonces,
      nonces.map((_, i) => first + i),
      "consecutive nonces, none reused or skipped",
    );
    assert.equal(
      await client.getTransactionCount({ address: platform.gasWallet }),
      first + nonces.length,
      "the chain counts the same",
    );
  });

  it("signs nothing for a transaction whose gas estimate says it would fail, so its nonce goes to the next one", async () => {
    const { db } = platform.server.services;
    const chainConfig = platform.server.services.config.chains.chainById(31337);
    assert.ok(chainConfig);
    const account = privateKeyToAccount(generatePrivateKey());
    await platform.client.request({
      method: "hardhat_setBalance" as never,
      params: [account.address, toHex(10n ** 18n)] as never,
    });
    const sender = new TransactionSender(platform.server.services, new ChainAccess(chainConfig), account);
    const hooked = await hookedSubscription("cus-not-mine");
    // only the payer contract's owner may set its hook: from anyone else the call reverts
    const refused = { to: hooked.payerContract, purpose: "test", subscriptions: [] };
    const setHook = encodeFunctionData({ abi: hooked.abi, functionName: "setHook", args: [Hook.Refuse] });

    await assert.rejects(sender.send({ ...refused, data: setHook }), TransactionWouldFailError);

    const journal = await db.select().from(chainTransactions).where(eq(chainTransactions.sender, account.address));
    assert.deepEqual(journal, [], "nothing journalled");
    assert.equal(await platform.client.getTransactionCount({ address: account.address }), 0, "no nonce used");
    const receipt = await sender.send({
      to: hookToken,
      data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [hooked.payerContract, 1n] }),
      purpose: "test",
      subscriptions: [],
    });
    assert.equal(receipt.status, "success");
    const [sent] = await db.select().from(chainTransactions).where(eq(chainTransactions.sender, account.address));
    assert.equal(sent?.nonce, 0, "the next transaction takes the nonce");
    assert.equal(sent?.status, "Mined");
  });
});
