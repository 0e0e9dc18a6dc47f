/**
 * Gas benchmark: what a payer, merchant and keeper pay per operation, next to one bare `transferFrom`
 * transaction on the same token, measured in one run on an in-process chain. Figures are full transaction gas,
 * intrinsic 21,000 included.
 *
 *   npm run bench:gas
 */
import { network } from "hardhat";
import { type Address, encodeFunctionData, getAddress, type Hex, serializeErc6492Signature, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployRecur } from "../test/helpers/deployRecur.js";
import { getActors } from "../test/helpers/getActors.js";
import { makeTerms, type Terms } from "../test/helpers/makeTerms.js";
import { signPermit } from "../test/helpers/signPermit.js";
import { signDaiPermit, signPermitBytes } from "../test/helpers/signTokenPermit.js";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const publicClient = await viem.getPublicClient();
const { keeper, payee: merchant, operator, payer: permitPayer } = await getActors(connection);
const { factory, tokens, smartAccountFactory } = await deployRecur(connection);

const amount = 10_000_000n;
const period = 30 * 24 * 3600;
let nextPayer = 0x1000n;

/** A fresh payer holding tokens, with ETH for gas, that the chain lets us send from without a key. */
async function newPayer(token: Address): Promise<Address> {
  const payer = getAddress(toHex(nextPayer++, { size: 20 }));
  await networkHelpers.impersonateAccount(payer);
  await networkHelpers.setBalance(payer, 10n ** 18n);
  const erc20 = await viem.getContractAt("StandardToken", token);
  await erc20.write.mint([payer, amount * 1000n]);
  return payer;
}

async function gasOf(hash: Hex): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt.gasUsed;
}

async function now(): Promise<number> {
  return Number(await networkHelpers.time.latest());
}

/** Approves the predicted address of fresh terms for 12 periods and activates them; returns terms and gas. */
async function activated(token: Address, overrides: Partial<Terms> = {}) {
  const payer = await newPayer(token);
  const terms = makeTerms(
    await now(),
    { token, payer, payee: merchant.account.address, operator: operator.account.address },
    { amount, period, ...overrides },
  );
  const subscription = await factory.read.predict([terms]);
  const erc20 = await viem.getContractAt("StandardToken", token);
  await gasOf(await erc20.write.approve([subscription, amount * 12n], { account: payer }));
  const gas = await gasOf(await factory.write.activate([terms], { account: keeper.account.address }));
  return { terms, subscription, gas };
}

/** One bare `transferFrom` transaction by an approved spender, payee already holding tokens. */
async function bareTransferFrom(token: Address): Promise<bigint> {
  const payer = await newPayer(token);
  const erc20 = await viem.getContractAt("StandardToken", token);
  await gasOf(await erc20.write.approve([keeper.account.address, amount * 12n], { account: payer }));
  await gasOf(
    await erc20.write.transferFrom([payer, merchant.account.address, amount], { account: keeper.account.address }),
  );
  return gasOf(
    await erc20.write.transferFrom([payer, merchant.account.address, amount], { account: keeper.account.address }),
  );
}

async function singleCharge(token: Address): Promise<bigint> {
  const { subscription } = await activated(token);
  await networkHelpers.time.increase(period);
  const sub = await viem.getContractAt("Subscription", subscription);
  return gasOf(await sub.write.charge({ account: keeper.account.address }));
}

async function chargeManyPerSubscription(token: Address, size: number): Promise<bigint> {
  const subscriptions: Address[] = [];
  for (let i = 0; i < size; i++) subscriptions.push((await activated(token)).subscription);
  await networkHelpers.time.increase(period);
  const { result } = await factory.simulate.chargeMany([subscriptions], { account: keeper.account.address });
  if (result.some((charged) => !charged)) throw new Error("a subscription in the batch was not charged");
  return (
    (await gasOf(await factory.write.chargeMany([subscriptions], { account: keeper.account.address }))) / BigInt(size)
  );
}

async function pauseAndCancel(token: Address) {
  const a = await activated(token);
  const pause = await gasOf(
    await (await viem.getContractAt("Subscription", a.subscription)).write.pause({ account: a.terms.payer }),
  );
  const b = await activated(token);
  const cancel = await gasOf(
    await (await viem.getContractAt("Subscription", b.subscription)).write.cancel({ account: b.terms.payer }),
  );
  return { pause, cancel };
}

async function permitActivation(): Promise<bigint> {
  const token = tokens.permit;
  const payer = permitPayer.account.address;
  await token.write.mint([payer, amount * 1000n]);
  const terms = makeTerms(
    await now(),
    { token: token.address, payer, payee: merchant.account.address, operator: operator.account.address },
    { amount, period },
  );
  const spender = await factory.read.predict([terms]);
  const value = amount * 12n;
  const deadline = BigInt((await now()) + 3600);
  const { v, r, s } = await signPermit(permitPayer, token, spender, value, deadline);
  return gasOf(
    await factory.write.activateWithPermit([terms, value, deadline, v, r, s], {
      account: keeper.account.address,
    }),
  );
}

/** Fresh terms in `token` for `payer`, who is given tokens, and their subscription's address. */
async function freshTerms(token: Address, payer: Address) {
  const erc20 = await viem.getContractAt("StandardToken", token);
  await erc20.write.mint([payer, amount * 1000n]);
  const terms = makeTerms(
    await now(),
    { token, payer, payee: merchant.account.address, operator: operator.account.address },
    { amount, period },
  );
  return { terms, spender: await factory.read.predict([terms]), deadline: BigInt((await now()) + 3600) };
}

/**
 * `activateWithPermitSignature` on the bytes-permit token: from an EOA (65 bytes), from a deployed smart account
 * (ERC-1271), and from a counterfactual one (ERC-6492: the account's deployment included).
 */
async function signaturePermitActivations() {
  const token = tokens.signaturePermit.address;
  const publicClient = await viem.getPublicClient();
  const value = amount * 12n;
  const eoa = privateKeyToAccount(generatePrivateKey());
  const e = await freshTerms(token, eoa.address);
  const eoaSignature = await signPermitBytes(publicClient, eoa, {
    token,
    holder: eoa.address,
    spender: e.spender,
    value,
    deadline: e.deadline,
  });
  const fromEoa = await gasOf(
    await factory.write.activateWithPermitSignature([e.terms, value, e.deadline, eoaSignature], {
      account: keeper.account.address,
    }),
  );

  const owner = privateKeyToAccount(generatePrivateKey());
  const salt = toHex(1, { size: 32 });
  await smartAccountFactory.write.createAccount([owner.address, salt]);
  const deployed = await smartAccountFactory.read.getAddress([owner.address, salt]);
  const d = await freshTerms(token, deployed);
  const deployedSignature = await signPermitBytes(publicClient, owner, {
    token,
    holder: deployed,
    spender: d.spender,
    value,
    deadline: d.deadline,
  });
  const fromDeployed = await gasOf(
    await factory.write.activateWithPermitSignature([d.terms, value, d.deadline, deployedSignature], {
      account: keeper.account.address,
    }),
  );

  const later = toHex(2, { size: 32 });
  const counterfactual = await smartAccountFactory.read.getAddress([owner.address, later]);
  const c = await freshTerms(token, counterfactual);
  const inner = await signPermitBytes(publicClient, owner, {
    token,
    holder: counterfactual,
    spender: c.spender,
    value,
    deadline: c.deadline,
  });
  const wrapped = serializeErc6492Signature({
    address: smartAccountFactory.address,
    data: encodeFunctionData({
      abi: smartAccountFactory.abi,
      functionName: "createAccount",
      args: [owner.address, later],
    }),
    signature: inner,
  });
  const fromCounterfactual = await gasOf(
    await factory.write.activateWithPermitSignature([c.terms, value, c.deadline, wrapped], {
      account: keeper.account.address,
    }),
  );
  return { fromEoa, fromDeployed, fromCounterfactual };
}

/** `activateWithDaiPermit` on the DAI-like token, from an EOA. */
async function daiPermitActivation(): Promise<bigint> {
  const token = tokens.daiLike.address;
  const payer = privateKeyToAccount(generatePrivateKey());
  const { terms, spender } = await freshTerms(token, payer.address);
  const { nonce, v, r, s } = await signDaiPermit(await viem.getPublicClient(), payer, { token, spender, expiry: 0n });
  return gasOf(
    await factory.write.activateWithDaiPermit([terms, nonce, 0n, v, r, s], { account: keeper.account.address }),
  );
}

interface Row {
  operation: string;
  gas: bigint;
  vsBare: string;
}

function pct(part: bigint, whole: bigint): string {
  return `${((Number(part) / Number(whole)) * 100).toFixed(1)}%`;
}

function signed(n: bigint): string {
  return `${n >= 0n ? "+" : ""}${n.toLocaleString("en-US")}`;
}

const verdicts: string[] = [];
function target(label: string, ok: boolean, detail: string) {
  verdicts.push(`${ok ? "MET   " : "MISSED"} ${label}: ${detail}`);
}

async function benchToken(label: string, token: Address, withTargets: { batch10?: boolean }) {
  const bare = await bareTransferFrom(token);
  const charge = await singleCharge(token);
  const batch10 = await chargeManyPerSubscription(token, 10);
  const batch50 = await chargeManyPerSubscription(token, 50);
  const activation = (await activated(token)).gas;
  const { pause, cancel } = await pauseAndCancel(token);
  const rows: Row[] = [
    { operation: "bare transferFrom transaction (baseline)", gas: bare, vsBare: "100.0%" },
    { operation: "charge() transaction", gas: charge, vsBare: `${signed(charge - bare)} overhead` },
    { operation: "chargeMany, per subscription, batch of 10", gas: batch10, vsBare: pct(batch10, bare) },
    { operation: "chargeMany, per subscription, batch of 50", gas: batch50, vsBare: pct(batch50, bare) },
    {
      operation: "activate (approve path: deploy + first charge)",
      gas: activation,
      vsBare: `${signed(activation - bare)} over bare`,
    },
    { operation: "pause()", gas: pause, vsBare: "" },
    { operation: "cancel()", gas: cancel, vsBare: "" },
  ];
  console.log(`\n${label}`);
  console.table(rows.map((r) => ({ operation: r.operation, gas: Number(r.gas), "vs bare transferFrom": r.vsBare })));
  target(`${label}: single charge overhead <= 11,000`, charge - bare <= 11_000n, signed(charge - bare));
  if (withTargets.batch10)
    target(`${label}: batch of 10 <= 75% of bare per subscription`, batch10 * 100n <= bare * 75n, pct(batch10, bare));
  target(
    `${label}: activation via approve <= bare + 105,000`,
    activation - bare <= 105_000n,
    signed(activation - bare),
  );
}

console.log("Recur gas benchmark: full transaction gas (intrinsic 21,000 included), in-process Hardhat chain");
await benchToken("Standard ERC-20 (StandardToken, 18 decimals)", tokens.standard.address, { batch10: true });
await benchToken("USDT-like (no return values, approve-0-first)", tokens.usdtLike.address, {});

const permitBare = await bareTransferFrom(tokens.permit.address);
const permitApprove = (await activated(tokens.permit.address)).gas;
const permitPath = await permitActivation();
console.log("\nEIP-2612 permit token (PermitToken, 6 decimals)");
console.table([
  { operation: "bare transferFrom transaction (baseline)", gas: Number(permitBare), "vs bare transferFrom": "100.0%" },
  {
    operation: "activate (approve path)",
    gas: Number(permitApprove),
    "vs bare transferFrom": `${signed(permitApprove - permitBare)} over bare`,
  },
  {
    operation: "activateWithPermit (permit path)",
    gas: Number(permitPath),
    "vs bare transferFrom": `${signed(permitPath - permitBare)} over bare`,
  },
]);

const signatureBare = await bareTransferFrom(tokens.signaturePermit.address);
const { fromEoa, fromDeployed, fromCounterfactual } = await signaturePermitActivations();
console.log("\nBytes-permit token (SignaturePermitToken, USDC since FiatTokenV2_2, 6 decimals)");
console.table(
  [
    { operation: "bare transferFrom transaction (baseline)", gas: signatureBare },
    { operation: "activateWithPermitSignature, EOA (65 bytes)", gas: fromEoa },
    { operation: "activateWithPermitSignature, deployed smart account (ERC-1271)", gas: fromDeployed },
    {
      operation: "activateWithPermitSignature, counterfactual account (ERC-6492, deploys it)",
      gas: fromCounterfactual,
    },
  ].map(({ operation, gas }) => ({
    operation,
    gas: Number(gas),
    "vs bare transferFrom": gas === signatureBare ? "100.0%" : `${signed(gas - signatureBare)} over bare`,
  })),
);

const daiBare = await bareTransferFrom(tokens.daiLike.address);
const daiPath = await daiPermitActivation();
console.log("\nDAI-like token (DaiLikeToken, DAI's permit, 18 decimals)");
console.table([
  { operation: "bare transferFrom transaction (baseline)", gas: Number(daiBare), "vs bare transferFrom": "100.0%" },
  {
    operation: "activateWithDaiPermit (permit path)",
    gas: Number(daiPath),
    "vs bare transferFrom": `${signed(daiPath - daiBare)} over bare`,
  },
]);

console.log("\nTargets");
for (const line of verdicts) console.log(`  ${line}`);
await connection.close();
