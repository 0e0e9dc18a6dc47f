import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Address, createPublicClient, http } from "viem";
import { localChain } from "../../server/chain/localChain.js";
import { loadConfig } from "../../server/config/loadConfig.js";
import { type RunningServer, startServer } from "../../server/startServer.js";
import { type Platform, startPlatform } from "../../server/test/support/startPlatform.js";
import { startWebhookReceiver } from "../../server/test/support/startWebhookReceiver.js";
import { freePort } from "../lib/freePort.js";
import { startHardhatNode } from "../lib/startHardhatNode.js";

const PAYOUT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const GAS_WALLET = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const OTHER_GAS_WALLET = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `recur` as a user would, in a process of its own; `env` replaces none of the caller's, only adds. */
function recur(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/recur.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Runs `recur --json ...`, expects success, and parses what it printed. */
async function recurJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const run = await recur(["--json", ...args], env);
  assert.equal(run.code, 0, `recur ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

/** Runs `recur ...`, expects it to refuse, and returns its error line. */
async function recurFails(args: string[], env: Record<string, string> = {}): Promise<string> {
  const run = await recur(args, env);
  assert.equal(run.code, 1, `recur ${args.join(" ")} should fail:\n${run.stdout}${run.stderr}`);
  assert.equal(run.stdout, "", "nothing on stdout when it fails");
  return run.stderr;
}

describe("recur, the operator's commands", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: RunningServer | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "recur-cli-"));
    env = {
      RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
      RECUR_DATA_DIR: path.join(dir, "data"),
      RECUR_PORT: String(await freePort()),
      RECUR_LOG_LEVEL: "silent",
    };
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a merchant, saves its profile for the owner only, and the key works against the server", async () => {
    const profile = path.join(dir, "merchant.json");
    const created = await recurJson<{ merchantId: string; apiKey: string; apiSecret: string; apiUrl: string }>(
      [
        "--profile",
        profile,
        "merchant",
        "create",
        "--name",
        "Shop",
        "--payout",
        PAYOUT,
        "--gas-wallet",
        GAS_WALLET,
        "--gas-wallet-key",
        "env:SHOP_GAS_KEY",
        "--save",
      ],
      env,
    );
    assert.match(created.merchantId, /^mer_/);
    assert.equal(created.apiUrl, `http://127.0.0.1:${env.RECUR_PORT}`);
    assert.deepEqual(JSON.parse(await readFile(profile, "utf8")), {
      merchantId: created.merchantId,
      apiKey: created.apiKey,
      apiSecret: created.apiSecret,
      apiUrl: created.apiUrl,
    });
    assert.equal((await stat(profile)).mode & 0o777, 0o600, "the profile holds the secret: owner only");

    const moved = await recurJson<{ chainId: number; gasWalletAddress: string }>(
      [
        "merchant",
        "set-chain",
        created.merchantId,
        "--chain",
        "31337",
        "--payout",
        PAYOUT,
        "--gas-wallet",
        OTHER_GAS_WALLET,
        "--gas-wallet-key",
        "file:/run/secrets/shop-gas.json",
      ],
      env,
    );
    assert.deepEqual([moved.chainId, moved.gasWalletAddress], [31337, OTHER_GAS_WALLET]);

    server = await startServer(loadConfig({ ...process.env, ...env, RECUR_ROLES: "api" }));
    const shown = await recurJson<{ gasWallets: { address: string; payoutAddress: string }[] }>([
      "--profile",
      profile,
      "merchant",
      "show",
    ]);
    assert.deepEqual(
      shown.gasWallets.map((wallet) => [wallet.address, wallet.payoutAddress]),
      [[OTHER_GAS_WALLET, PAYOUT]],
      "the chain settings set-chain wrote",
    );
    const plan = await recurJson<{ status: string; amount: string }>(
      ["--profile", profile, "plans", "create", "--name", "P", "--amount", "5 tUSDC", "--period", "30d", "--activate"],
      {},
    );
    assert.deepEqual([plan.status, plan.amount], ["Active", "5 tUSDC"]);

    // while the server owns the embedded database, direct access is refused with what to do
    const error = await recurFails(
      ["merchant", "create", "--name", "Other", "--payout", PAYOUT, "--gas-wallet", GAS_WALLET],
      env,
    );
    assert.match(error, /^error: The data directory .* is in use by another Recur process/);
  });

  it("refuses bad input before touching anything: an address, a chain, a key source, missing configuration", async () => {
    const base = ["merchant", "create", "--name", "X", "--gas-wallet", GAS_WALLET];
    assert.match(
      await recurFails([...base, "--payout", "0x12"], env),
      /--payout.*expected a 0x-prefixed 20-byte address/,
    );
    assert.match(
      await recurFails([...base, "--payout", PAYOUT, "--chain", "999"], env),
      /unknown chain "999": this deployment is configured for localhost \(31337\)/,
    );
    assert.match(
      await recurFails([...base, "--payout", PAYOUT, "--gas-wallet-key", "0xabc"], env),
      /--gas-wallet-key must be env:NAME or file:PATH/,
    );
    assert.match(await recurFails([...base, "--payout", PAYOUT], { RECUR_SECRET_KEY: "" }), /RECUR_SECRET_KEY/);
  });

  it("runs the worker alone until it is told to stop", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/recur.ts", "worker"], {
      env: { ...process.env, ...env, RECUR_DATA_DIR: path.join(dir, "worker-data"), RECUR_LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let logged = "";
    child.stdout.on("data", (chunk: Buffer) => {
      logged += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!logged.includes("Recur worker started") && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(logged, /Recur worker started/);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, "stops cleanly on SIGTERM");
    } finally {
      // a failed assertion must not leave the worker running (and this test process waiting for it)
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    }
  });

  it("deploys the factory to a chain at its deterministic address, and says when the key is missing", async () => {
    const node = await startHardhatNode();
    const deploymentId = `cli-test-${randomBytes(4).toString("hex")}`;
    try {
      const deployed = await recurJson<{ factory: Address; chainId: number }>([
        "deploy",
        "--rpc-url",
        node.url,
        "--deployment-id",
        deploymentId,
      ]);
      assert.equal(deployed.chainId, 31337);
      assert.equal(deployed.factory, localChain(node.url).factory, "the address every chain gets");
      const code = await createPublicClient({ transport: http(node.url) }).getCode({ address: deployed.factory });
      assert.ok(code && code.length > 2, "the factory's code is on the chain");
      assert.match(
        await recurFails(["deploy", "--rpc-url", node.url, "--deployer-key-env", "RECUR_CLI_TEST_NO_SUCH_KEY"]),
        /RECUR_CLI_TEST_NO_SUCH_KEY must hold a 0x-prefixed 32-byte private key/,
      );
    } finally {
      await node.stop();
      await rm(path.join("ignition", "deployments", deploymentId), { recursive: true, force: true });
    }
  });
});

describe("recur, a merchant's commands through the signed API", () => {
  let platform: Platform;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dir: string;
  let profile: string;
  let apiSecret: string;
  const as = (args: string[]) => ["--profile", profile, ...args];

  before(async () => {
    platform = await startPlatform();
    dir = await mkdtemp(path.join(tmpdir(), "recur-cli-"));
    profile = path.join(dir, "merchant.json");
    const { merchant } = platform.server;
    apiSecret = merchant.apiSecret;
    await writeFile(
      profile,
      JSON.stringify({
        apiUrl: platform.server.url,
        merchantId: merchant.merchantId,
        apiKey: merchant.apiKey,
        apiSecret: merchant.apiSecret,
      }),
      { mode: 0o600 },
    );
    receiver = await startWebhookReceiver(() => apiSecret);
  });
  after(async () => {
    await receiver.close();
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates, lists, activates and archives plans, and explains money and plans it does not know", async () => {
    const pro = await recurJson<{ id: string; status: string; periodSeconds: number; gracePeriodSeconds: number }>(
      as([
        "plans",
        "create",
        "--name",
        "Pro",
        "--amount",
        "9.99 tUSDC",
        "--interval",
        "Month",
        "--grace",
        "3d",
        "--max-periods",
        "12",
        "--tag",
        "gold",
        "--tag",
        "yearly-review",
      ]),
    );
    assert.equal(pro.status, "Draft");
    assert.equal(pro.periodSeconds, 30 * 86_400);
    assert.equal(pro.gracePeriodSeconds, 3 * 86_400);
    assert.equal((await recurJson<{ status: string }>(as(["plans", "activate", pro.id]))).status, "Active");
    const active = await recurJson<{ id: string; tags: string[] }[]>(as(["plans", "list", "--status", "Active"]));
    assert.deepEqual(
      active.find((plan) => plan.id === pro.id)?.tags,
      ["gold", "yearly-review"],
      "listed with its tags",
    );
    assert.equal((await recurJson<{ status: string }>(as(["plans", "archive", pro.id]))).status, "Archived");

    const human = await recur(as(["plans", "list", "--status", "Archived"]));
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^ID\s+STATUS\s+AMOUNT/m, "a table for people");
    assert.match(human.stdout, new RegExp(`${pro.id}\\s+Archived\\s+9.99 tUSDC`));

    assert.match(
      await recurFails(as(["plans", "create", "--name", "X", "--amount", "9,99 tUSDC", "--period", "1d"])),
      /amount/i,
    );
    assert.match(
      await recurFails(as(["plans", "create", "--name", "X", "--amount", "1 USDC", "--period", "1d"])),
      /USDC/,
      "a token this deployment does not bill in",
    );
    assert.match(await recurFails(as(["plans", "activate", "plan_doesNotExist"])), /plan_doesNotExist.*\(HTTP 404/);
    assert.match(
      await recurFails(as(["plans", "create", "--name", "X", "--amount", "1 tUSD", "--period", "soon"])),
      /--period.*expected seconds or a duration/,
    );
  });

  it("lists, shows, pauses, unpauses and cancels a subscription, each reaching the chain", async () => {
    const { client } = platform.server.merchant;
    const plan = await client.createPlan({ name: "Daily", amount: "1 tUSDC", periodSeconds: 86_400 });
    await client.activatePlan(plan.id);
    const payer = await platform.newPayer();
    const draft = await client.createSubscription({
      planId: plan.id,
      customerId: "cli-customer",
      payer: payer.address,
    });
    await platform.approve(payer, draft);
    await client.activateSubscription(draft.contractAddress);
    const address = draft.contractAddress;
    let last = "";
    const reaches = (status: string) =>
      platform
        .waitFor(status, async () => {
          const subscription = await client.getSubscription(address);
          last = `${subscription.status} (${subscription.statusReason ?? "no reason given"})`;
          return subscription.status === status ? true : undefined;
        })
        .catch((error: Error) => assert.fail(`${error.message}: the subscription stayed ${last}`));
    await reaches("Active");

    const listed = await recurJson<{ contractAddress: string }[]>(
      as(["subscriptions", "list", "--customer", "cli-customer", "--status", "Active"]),
    );
    assert.deepEqual(
      listed.map((row) => row.contractAddress),
      [address],
    );
    const shown = await recurJson<{ periodsCharged: number; charges: { periodIndex: number; status: string }[] }>(
      as(["subscriptions", "show", address]),
    );
    assert.equal(shown.periodsCharged, 1);
    assert.deepEqual(
      shown.charges.map((charge) => [charge.periodIndex, charge.status]),
      [[1, "Succeeded"]],
    );

    for (const [verb, pending, done] of [
      ["pause", "PendingPause", "Paused"],
      ["unpause", "PendingUnPause", "Active"],
      ["cancel", "PendingCancel", "Cancelled"],
    ] as const) {
      const answer = await recurJson<{ status: string }>(as(["subscriptions", verb, address]));
      assert.ok(([pending, done] as string[]).includes(answer.status), `${verb}: ${answer.status}`);
      await reaches(done);
    }
    assert.match(await recurFails(as(["subscriptions", "show", "0x1234"])), /expected a 0x-prefixed 20-byte address/);
  });

  it("sets the webhook URL, sends a signed test event, lists deliveries and redelivers", async () => {
    assert.equal((await recurJson<{ url: string }>(as(["merchant", "set-webhook", receiver.url]))).url, receiver.url);
    const test = await recurJson<{ eventId: string; eventType: string }>(as(["webhooks", "test"]));
    assert.equal(test.eventType, "WebhookTest");
    const arrived = await platform.waitFor("the test event", async () =>
      receiver.received.find((event) => event.eventId === test.eventId),
    );
    assert.ok(arrived.signatureValid, "signed with the merchant's secret");

    const events = await recurJson<{ eventId: string; delivered: boolean }[]>(as(["webhooks", "events"]));
    assert.equal(events.find((event) => event.eventId === test.eventId)?.delivered, true);
    const deliveries = await recurJson<{ eventId: string; responseStatus: number }[]>(
      as(["webhooks", "deliveries", "--event", test.eventId]),
    );
    assert.deepEqual(
      deliveries.map((delivery) => [delivery.eventId, delivery.responseStatus]),
      [[test.eventId, 204]],
    );
    const before = receiver.received.length;
    await recurJson(as(["webhooks", "redeliver", test.eventId]));
    await platform.waitFor("the redelivery", async () => (receiver.received.length > before ? true : undefined));
    assert.equal(receiver.received.at(-1)?.eventId, test.eventId);
  });

  it("shows the merchant's gas wallet, rotates its key into the profile, and says when the server is down", async () => {
    const shown = await recurJson<{ gasWallets: { address: string; keyConfigured: boolean }[] }>(
      as(["merchant", "show"]),
    );
    assert.deepEqual(
      shown.gasWallets.map((wallet) => [wallet.address, wallet.keyConfigured]),
      [[platform.gasWallet, true]],
    );

    const before = JSON.parse(await readFile(profile, "utf8")) as { apiKey: string };
    const rotated = await recurJson<{ apiKey: string; apiSecret: string }>(as(["merchant", "rotate-key", "--save"]));
    apiSecret = rotated.apiSecret;
    const after = JSON.parse(await readFile(profile, "utf8")) as { apiKey: string; apiSecret: string };
    assert.notEqual(after.apiKey, before.apiKey);
    assert.deepEqual([after.apiKey, after.apiSecret], [rotated.apiKey, rotated.apiSecret]);
    await recurJson(as(["plans", "list"]));

    const closed = `http://127.0.0.1:${await freePort()}`;
    assert.match(
      await recurFails(as(["--api-url", closed, "plans", "list"])),
      /cannot reach the Recur API at http:\/\/127\.0\.0\.1:\d+ .*is the server running/,
    );
    assert.match(
      await recurFails(["--profile", path.join(dir, "none.json"), "plans", "list"]),
      /no merchant credentials: create a merchant with `recur merchant create --save`/,
    );
    const broken = path.join(dir, "broken.json");
    await writeFile(broken, '{"apiUrl": "not a url"', { mode: 0o600 });
    assert.match(
      await recurFails(["--profile", broken, "plans", "list"]),
      /^error: the profile .*broken\.json is not JSON: fix it or remove it$/m,
    );
  });

  it("lists the merchant's keys and revokes one at once, but never the profile's own key", async () => {
    const profileKey = (JSON.parse(await readFile(profile, "utf8")) as { apiKey: string }).apiKey;
    const original = platform.server.merchant;
    assert.notEqual(profileKey, original.apiKey, "the previous test rotated the profile's key");
    const keys = await recurJson<{ apiKey: string; status: string; signsThisRequest: boolean; apiSecret?: string }[]>(
      as(["merchant", "keys", "list"]),
    );
    assert.deepEqual(
      keys.map((key) => [key.apiKey, key.status, key.signsThisRequest]),
      [
        [profileKey, "Active", true],
        [original.apiKey, "Expiring", false],
      ],
    );
    assert.ok(
      keys.every((key) => key.apiSecret === undefined),
      "no secret is listed",
    );
    const human = await recur(as(["merchant", "keys", "list"]));
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^KEY\s+STATUS\s+CREATED\s+EXPIRES\s+REVOKED\s+LAST USED/m);
    assert.match(human.stdout, new RegExp(`${profileKey}\\s+Active.*\\(this profile\\)`));

    assert.match(
      await recurFails(as(["merchant", "keys", "revoke", profileKey])),
      /^error: A key cannot revoke itself: sign the revocation with another of your keys \(HTTP 409 Conflict\)$/m,
    );
    assert.match(await recurFails(as(["merchant", "keys", "revoke", "rk_doesNotExist"])), /No API key.*HTTP 404/);

    const revoked = await recurJson<{ apiKey: string; status: string; revokedAt: string }>(
      as(["merchant", "keys", "revoke", original.apiKey]),
    );
    assert.deepEqual([revoked.apiKey, revoked.status], [original.apiKey, "Revoked"]);
    await assert.rejects(original.client.listPlans(), { status: 401 }, "the revoked key stops working at once");
    await recurJson(as(["plans", "list"]));
  });
});
