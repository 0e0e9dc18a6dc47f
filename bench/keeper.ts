/**
 * Keeper benchmark: on a local chain (a `hardhat node` over HTTP, as the worker meets a real one), 1,000 subscriptions
 * in the same token fall due; the keeper charges them all. Compared in the same run with the baseline: 1,000 bare
 * `transferFrom` transactions sent one by one from one account. Prints wall time and gas per charge for both.
 *
 *   npm run bench:keeper            (BENCH_SUBSCRIPTIONS and RECUR_KEEPER_BATCH change the size)
 */
import { randomBytes } from "node:crypto";
import {
  type Address,
  createWalletClient,
  encodeAbiParameters,
  erc20Abi,
  getAddress,
  type Hex,
  http,
  keccak256,
  numberToHex,
  parseEther,
  toHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { subscriptionFactoryAbi } from "../generated/abis.js";
import { ChainAccess } from "../server/chain/ChainAccess.js";
import { loadConfig } from "../server/config/loadConfig.js";
import { openDatabase } from "../server/db/openDatabase.js";
import { chainTransactions } from "../server/db/schema.js";
import { createMerchant } from "../server/domain/merchants.js";
import { createPlan, setPlanStatus } from "../server/domain/plans.js";
import { createServices } from "../server/domain/Services.js";
import { createDraft, termsOf } from "../server/domain/subscriptions.js";
import { applyChainState } from "../server/worker/applyChainState.js";
import { Keeper } from "../server/worker/Keeper.js";
import { TransactionSender } from "../server/worker/TransactionSender.js";
import { deployLocalContracts } from "../stack/deployLocalContracts.js";
import { startHardhatNode } from "../stack/startHardhatNode.js";

const COUNT = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1_000);
const BATCH = Number(process.env.RECUR_KEEPER_BATCH ?? 100);
const PERIOD = 2_592_000;
const AMOUNT = 10n ** 18n;

/** Storage slots of OpenZeppelin's ERC20 (the test token): balances at 0, allowances at 1. */
function balanceSlot(owner: Address): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [owner, 0n]));
}
function allowanceSlot(owner: Address, spender: Address): Hex {
  const inner = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [owner, 1n]));
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [spender, inner]));
}

const node = await startHardhatNode();
const database = await openDatabase({ kind: "pglite", dataDir: "memory://" });
try {
  const contracts = await deployLocalContracts(node.url);
  const config = loadConfig({
    RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
    RECUR_LOCAL_RPC_URL: node.url,
    RECUR_LOG_LEVEL: "silent",
  });
  const services = createServices(database.db, config);
  const chain = new ChainAccess(config.chains.chainById(31337) ?? (undefined as never), services.chainClock(31337));
  const { client } = chain;
  // the deployment file's addresses, read as JSON strings
  const token = contracts.tokens.standard as Address;
  const factory = contracts.factory as Address;
  const rpc = (method: string, params: unknown[]) =>
    client.request({ method: method as never, params: params as never });
  const setStorage = (slot: Hex, value: bigint) =>
    rpc("hardhat_setStorageAt", [token, slot, numberToHex(value, { size: 32 })]);
  const fund = (address: Address) => rpc("hardhat_setBalance", [address, toHex(parseEther("1000"))]);

  // the merchant, its gas wallet and a payee that already holds tokens
  const gasKey = generatePrivateKey();
  const gasWallet = privateKeyToAccount(gasKey);
  const payee = getAddress(toHex(0xbeef, { size: 20 }));
  await fund(gasWallet.address);
  await setStorage(balanceSlot(payee), 1n);
  const merchant = await createMerchant(database.db, services.apiSecrets, {
    name: "Bench",
    chains: [{ chainId: 31337, payoutAddress: payee, gasWalletAddress: gasWallet.address }],
  });
  const plan = await createPlan(database.db, services, merchant.merchantId, {
    name: "Bench",
    amount: "1 tUSD",
    periodSeconds: PERIOD,
    maxPeriods: 12,
  });
  await setPlanStatus(database.db, services, merchant.merchantId, plan.id, "Active");

  // every payer holds tokens and has approved its subscription (and the baseline's spender): set directly in storage
  const [spenderAddress] = (await rpc("eth_accounts", [])) as Address[];
  if (!spenderAddress) throw new Error("the node has no unlocked account");
  const activator = createWalletClient({ account: spenderAddress, chain: chain.chain, transport: http(node.url) });
  process.stdout.write(`Setting up ${COUNT} subscriptions`);
  const subscriptions: Address[] = [];
  const payers: Address[] = [];
  const rows: Awaited<ReturnType<typeof createDraft>>["subscription"][] = [];
  for (let i = 0; i < COUNT; i++) {
    const payer = getAddress(toHex(0x10_0000 + i, { size: 20 }));
    const { subscription } = await createDraft(database.db, services, merchant.merchantId, {
      planId: plan.id,
      customerId: `cus-${i}`,
      payer,
    });
    await setStorage(balanceSlot(payer), 100n * AMOUNT);
    await setStorage(allowanceSlot(payer, subscription.contractAddress), 12n * AMOUNT);
    await setStorage(allowanceSlot(payer, spenderAddress), 12n * AMOUNT);
    subscriptions.push(subscription.contractAddress);
    payers.push(payer);
    rows.push(subscription);
  }
  let nonce = await client.getTransactionCount({ address: spenderAddress });
  const activations: Hex[] = [];
  for (const row of rows) {
    activations.push(
      await activator.writeContract({
        address: factory,
        abi: subscriptionFactoryAbi,
        functionName: "activate",
        args: [termsOf(row)],
        nonce: nonce++,
        gas: 400_000n,
      }),
    );
  }
  for (const hash of activations) await client.waitForTransactionReceipt({ hash });
  console.log(" done.");

  // the keeper's view: the chain's events make them Active with their next charge a period away
  const states = await chain.states(subscriptions);
  await database.db.transaction(async (tx) => {
    for (const row of rows) {
      await applyChainState(tx, services, row, { state: states.get(row.contractAddress) });
    }
  });
  await rpc("evm_increaseTime", [PERIOD]);
  await rpc("evm_mine", []);

  // baseline: 1,000 bare transferFrom transactions, one by one, from one account
  const baselineStart = performance.now();
  let baselineGas = 0n;
  for (const payer of payers) {
    const hash = await activator.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: "transferFrom",
      args: [payer, payee, AMOUNT],
    });
    baselineGas += (await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })).gasUsed;
  }
  const baselineSeconds = (performance.now() - baselineStart) / 1000;

  // the keeper charges everything due
  const sender = new TransactionSender(services, chain, gasWallet);
  const keeper = new Keeper(services, chain, new Map([[gasWallet.address, sender]]), {
    claimSize: BATCH * 2,
    batchSize: BATCH,
    retryLadder: [3_600],
    leaseSeconds: 60,
  });
  const gasBefore = await client.getTransactionCount({ address: gasWallet.address });
  const keeperStart = performance.now();
  while (await keeper.step()) {}
  // a last step in case the final claim was exactly full
  await keeper.step();
  const keeperSeconds = (performance.now() - keeperStart) / 1000;
  const sent = (await client.getTransactionCount({ address: gasWallet.address })) - gasBefore;

  const journal = await database.db.select().from(chainTransactions);
  const keeperGas = journal
    .filter((row) => row.purpose === "charge")
    .reduce((sum, row) => sum + (row.gasUsed ?? 0n), 0n);
  const charged = (await chain.states(subscriptions)).values();
  let chargedCount = 0;
  for (const state of charged) if (state?.periodsCharged === 2) chargedCount++;
  if (chargedCount !== COUNT) throw new Error(`only ${chargedCount} of ${COUNT} subscriptions were charged`);

  const bareGas = Number(baselineGas) / COUNT;
  const chargeGas = Number(keeperGas) / COUNT;
  console.log(
    `\nKeeper benchmark: ${COUNT} due subscriptions in one token, local hardhat node over HTTP, batches of ${BATCH}`,
  );
  console.table([
    {
      run: "baseline: bare transferFrom transactions, one by one",
      transactions: COUNT,
      "wall time (s)": baselineSeconds.toFixed(1),
      "gas per charge": Math.round(bareGas),
    },
    {
      run: "keeper: chargeMany",
      transactions: sent,
      "wall time (s)": keeperSeconds.toFixed(1),
      "gas per charge": Math.round(chargeGas),
    },
  ]);
  const ratio = chargeGas / bareGas;
  const speedup = baselineSeconds / keeperSeconds;
  console.log("Targets");
  console.log(
    `  ${ratio <= 0.6 ? "MET   " : "MISSED"} gas per charge <= 60% of a bare transferFrom transaction: ${(ratio * 100).toFixed(1)}%`,
  );
  console.log(
    `  ${speedup >= 3 ? "MET   " : "MISSED"} wall time at least 3x faster than the baseline: ${speedup.toFixed(1)}x`,
  );
} finally {
  await database.close();
  await node.stop();
}
