/**
 * `npm run demo`: one whole subscription from the command line, without a browser. Starts the local platform (as
 * `npm start` does, on free ports and a throwaway data directory), then a test payer subscribes to the five-minute
 * plan: the merchant's backend creates a draft, the payer approves the contract's address, the worker activates it,
 * the local chain's clock is moved forward period by period and the keeper charges each one. Every webhook the
 * merchant receives is printed with whether its signature checks out. Everything stops at the end.
 *
 *   npm run demo
 *   npm run demo -- --periods 5
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { type Address, createWalletClient, erc20Abi, formatUnits, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { RecurClient } from "../server/client/RecurClient.js";
import type { SubscriptionResource } from "../server/schemas/subscriptions.js";
import { buildContracts } from "./buildContracts.js";
import { freePorts } from "./freePort.js";
import type { LocalStack } from "./localStack.js";
import { waitUntil } from "./waitUntil.js";

const program = new Command("npm run demo")
  .description("Run one subscription end to end on a local chain: draft, approve, activation, charges, webhooks")
  .option(
    "--periods <n>",
    "how many periods to move the chain's clock through after activation",
    (value) => {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 23) {
        throw new InvalidArgumentError("must be a whole number from 1 to 23 (the plan allows 24 charges)");
      }
      return Number(value);
    },
    3,
  )
  .showHelpAfterError();

interface Webhook {
  eventType: string;
  status?: string;
  signed: boolean;
}

/** The merchant's webhook endpoint: checks `x-sp-digest` over the raw body, as a merchant's server should. */
async function startWebhookEndpoint(secret: () => string, onEvent: (event: Webhook) => void) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = createHmac("sha256", secret()).update(body).digest("hex");
      const digest = String(request.headers["x-sp-digest"] ?? "");
      const signed = digest.length === expected.length && timingSafeEqual(Buffer.from(digest), Buffer.from(expected));
      const event = JSON.parse(body.toString("utf8")) as { eventType: string; subscription?: { status?: string } };
      const status = event.eventType === "SubscriptionStatusChanged" ? event.subscription?.status : undefined;
      onEvent({ eventType: event.eventType, status, signed });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks`, close: () => new Promise((resolve) => server.close(resolve)) };
}

function say(line: string): void {
  console.log(line);
}

async function runDemo(stack: LocalStack, periods: number): Promise<void> {
  const merchant = new RecurClient(stack.api, stack.merchant);
  const webhooks: Webhook[] = [];
  const endpoint = await startWebhookEndpoint(
    () => stack.merchant.apiSecret,
    (event) => {
      webhooks.push(event);
      say(
        `  webhook  ${event.eventType}${event.status ? ` -> ${event.status}` : ""} (signature ${event.signed ? "valid" : "INVALID"})`,
      );
    },
  );
  try {
    await merchant.setWebhookUrl(endpoint.url);
    const plan = stack.plans.find((candidate) => candidate.name === "Every five minutes");
    const [payer] = stack.payers;
    if (!plan || !payer) throw new Error("the local stack has no five-minute plan or no test payer");

    say(`\n1. The merchant's backend creates a draft of "${plan.name}" (${plan.amount} every 5 minutes)`);
    const draft = await merchant.createSubscription({
      planId: plan.id,
      customerId: "demo-customer",
      payer: payer.address,
    });
    say(`   contract address, known before it is deployed: ${draft.contractAddress}`);

    // the API answers addresses as strings
    const token = draft.approval.token as Address;
    const allowance = BigInt(draft.approval.suggestedAllowance);
    const balanceOf = () =>
      stack.client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [payer.address] });
    const decimals = await stack.client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
    const money = (amount: bigint) => `${formatUnits(amount, decimals)} ${draft.asset}`;
    const startBalance = await balanceOf();

    say(`2. The payer ${payer.address} approves ${money(allowance)} for that address`);
    const wallet = createWalletClient({
      account: privateKeyToAccount(payer.key),
      chain: stack.chain,
      transport: http(stack.node.url),
    });
    const hash = await wallet.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      // the API answers addresses as strings
      args: [draft.contractAddress as Address, allowance],
    });
    await stack.client.waitForTransactionReceipt({ hash });

    say("3. The merchant asks for activation; the worker deploys the contract and charges the first period");
    await merchant.activateSubscription(draft.contractAddress);
    let subscription: SubscriptionResource = await waitUntil("activation", async () => {
      const current = await merchant.getSubscription(draft.contractAddress);
      return current.status === "Active" ? current : undefined;
    });
    say(`   Active; charge ${subscription.periodsCharged} of ${subscription.maxPeriods} made`);

    for (let period = 1; period <= periods; period++) {
      say(`${3 + period}. Five minutes pass on the chain; the keeper charges the next period`);
      await stack.client.request({ method: "evm_increaseTime" as never, params: [300] as never });
      await stack.client.request({ method: "evm_mine" as never, params: [] as never });
      const expected = subscription.periodsCharged + 1;
      subscription = await waitUntil(`charge ${expected}`, async () => {
        const current = await merchant.getSubscription(draft.contractAddress);
        return current.periodsCharged >= expected ? current : undefined;
      });
      say(
        `   charge ${subscription.periodsCharged} of ${subscription.maxPeriods} made; next at ${subscription.nextChargeAt}`,
      );
    }

    const { charges } = await merchant.getSubscription(draft.contractAddress);
    const paid = startBalance - (await balanceOf());
    const charged = charges.filter((charge) => charge.status === "Succeeded").length;
    await waitUntil("the webhooks", async () =>
      (await merchant.listWebhookEvents({ undelivered: true })).events.length === 0 ? true : undefined,
    );
    say(
      `\nDone: ${charged} charges succeeded, the payer paid ${money(paid)}, ` +
        `${webhooks.length} webhooks received, ${webhooks.every((event) => event.signed) ? "all signatures valid" : "SOME SIGNATURES INVALID"}.`,
    );
    if (charged !== periods + 1 || !webhooks.every((event) => event.signed)) process.exitCode = 1;
  } finally {
    await endpoint.close();
  }
}

async function main(): Promise<void> {
  const { periods } = program.parse().opts<{ periods: number }>();
  const dataDir = await mkdtemp(path.join(tmpdir(), "recur-demo-"));
  let stack: LocalStack | undefined;
  const progress = (step: string) => say(`- ${step}...`);
  try {
    await buildContracts(progress);
    // the stack imports the ABIs the build has just written
    const { startLocalStack } = await import("./localStack.js");
    const [port, chainPort] = (await freePorts(2)) as [number, number];
    stack = await startLocalStack({
      env: process.env,
      port,
      chainPort,
      dataDir,
      progress,
    });
    await runDemo(stack, periods);
  } finally {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
