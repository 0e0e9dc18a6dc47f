import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { type Address, createPublicClient, http, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { localChain } from "../../server/chain/localChain.js";
import { loadConfig } from "../../server/config/loadConfig.js";
import { setMerchantChain } from "../../server/domain/merchants.js";
import { type RunningServer, startServer } from "../../server/startServer.js";
import { freePort } from "../../stack/freePort.js";
import { startHardhatNode } from "../../stack/startHardhatNode.js";
import { startProcess } from "../../stack/startProcess.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { type Platform, startPlatform } from "../../test/support/startPlatform.js";
import { startWebhookReceiver } from "../../test/support/startWebhookReceiver.js";

const PAYOUT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const GAS_WALLET = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const OTHER_GAS_WALLET = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `recur` as a user would, in a process of its own, stopped if it is still running after two minutes;
 * `env` replaces none of the caller's, only adds. `input` is what it reads on standard input (nothing when absent).
 */
async function recur(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const child = startProcess(process.execPath, ["--import", "tsx", "cli/recur.ts", ...args], {
    env: { ...process.env, ...env },
    input: input ?? "",
    onOutput: (chunk, stream) => {
      if (stream === "stdout") stdout += chunk.toString();
      else stderr += chunk.toString();
    },
  });
  const { code } = await child.waitForExit(120_000);
  return { code, stdout, stderr };
}

/** Runs `recur --json ...`, expects success, and parses what it printed. */
async function recurJson<T>(args: string[], env: Record<string, string> = {}, input?: string): Promise<T> {
  const run = await recur(["--json", ...args], env, input);
  assert.equal(run.code, 0, `recur ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

/** Runs `recur ...`, expects it to refuse, and returns its error line. */
async function recurFails(args: string[], env: Record<string, string> = {}, input?: string): Promise<string> {
  const run = await recur(args, env, input);
  assert.equal(run.code, 1, `recur ${args.join(" ")} should fail:\n${run.stdout}${run.stderr}`);
  assert.equal(run.stdout, "", "nothing on stdout when it fails");
  return run.stderr;
}

describe("recur, the operator's commands", { timeout: 1_800_000 }, () => {
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
  }, hookTimeouts.starting);
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

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
    const lowercase = await recurJson<{ payoutAddress: string; gasWalletAddress: string }>(
      [
        "merchant",
        "set-chain",
        created.merchantId,
        "--payout",
        PAYOUT.toLowerCase(),
        "--gas-wallet",
        OTHER_GAS_WALLET.toLowerCase(),
        "--gas-wallet-key",
        "file:/run/secrets/shop-gas.json",
      ],
      env,
    );
    assert.deepEqual(
      [lowercase.payoutAddress, lowercase.gasWalletAddress],
      [PAYOUT, OTHER_GAS_WALLET],
      "all lowercase is valid, and stored checksummed",
    );

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
    // one letter's case changed: a typo the checksum catches, where re-checksumming would pay a stranger's address
    const mistyped = `0x70997970c${PAYOUT.slice(11)}`;
    assert.notEqual(mistyped, PAYOUT);
    assert.match(
      await recurFails([...base, "--payout", mistyped], env),
      /--payout.*does not match its EIP-55 checksum/,
    );
    assert.match(await recurFails([...base, "--payout", zeroAddress], env), /--payout.*must not be the zero address/);
    assert.match(
      await recurFails(["merchant", "create", "--name", "X", "--payout", PAYOUT, "--gas-wallet", zeroAddress], env),
      /--gas-wallet.*must not be the zero address/,
    );
    assert.match(
      await recurFails([...base, "--payout", PAYOUT, "--chain", "999"], env),
      /unknown chain "999": this deployment is configured for localhost \(31337\)/,
    );
    assert.match(
      await recurFails([...base, "--payout", PAYOUT, "--gas-wallet-key", "0xabc"], env),
      /--gas-wallet-key must be env:NAME or file:PATH/,
    );
    assert.match(
      await recurFails([...base, "--payout", PAYOUT, "--webhook-url", "http://169.254.169.254/latest/"], env),
      /--webhook-url its host 169\.254\.169\.254 is a linkLocal address: webhooks go to public addresses only/,
    );
    assert.match(await recurFails([...base, "--payout", PAYOUT], { RECUR_SECRET_KEY: "" }), /RECUR_SECRET_KEY/);
  });

  it("runs the worker alone until it is told to stop", async (t) => {
    // owned from the moment it is spawned: stopped after this test whatever happens in it
    const worker = startProcess(process.execPath, ["--import", "tsx", "cli/recur.ts", "worker"], {
      env: { ...process.env, ...env, RECUR_DATA_DIR: path.join(dir, "worker-data"), RECUR_LOG_LEVEL: "info" },
    });
    t.after(() => worker.kill());
    await worker.waitForOutput(/Recur worker started/, 120_000);
    // time enough to stop cleanly on a loaded machine before SIGKILL would make it fail
    const exit = await worker.stop({ graceMs: 60_000 });
    assert.deepEqual([exit.code, exit.signal], [0, null], `stops cleanly on SIGTERM; it printed:\n${worker.output()}`);
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

describe("recur, a merchant's commands through the signed API", { timeout: 1_800_000 }, () => {
  let platform: Platform;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dir: string;
  let profile: string;
  let apiSecret: string;
  const as = (args: string[]) => ["--profile", profile, ...args];

  before(async () => {
    // the webhook receiver listens on loopback
    platform = await startPlatform({ RECUR_WEBHOOK_ALLOW_PRIVATE: "on" });
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
  }, hookTimeouts.starting);
  after(async () => {
    await receiver.close();
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

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

  it("shows and sets the branding, clears a field with '', and names the option at fault", async () => {
    type Shown = { displayName: string; logoUrl: string | null; accentColor: string | null; supportUrl: string | null };
    assert.equal((await recurJson<Shown>(as(["merchant", "branding"]))).logoUrl, null);
    const set = await recurJson<Shown>(
      as([
        "merchant",
        "branding",
        "set",
        "--display-name",
        "Demo merchant",
        "--logo-url",
        "https://shop.example/logo.png",
        "--accent",
        "#2151d1",
        "--support-url",
        "mailto:help@shop.example",
      ]),
    );
    assert.deepEqual(set, {
      displayName: "Demo merchant",
      logoUrl: "https://shop.example/logo.png",
      accentColor: "#2151d1",
      supportUrl: "mailto:help@shop.example",
    });
    const human = await recur(as(["merchant", "branding"]));
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^display name\s+Demo merchant$/m);
    assert.match(human.stdout, /^accent colour\s+#2151d1$/m);

    const cleared = await recurJson<Shown>(as(["merchant", "branding", "set", "--logo-url", ""]));
    assert.deepEqual(cleared, { ...set, logoUrl: null });

    assert.match(
      await recurFails(as(["merchant", "branding", "set", "--accent", "#ffcc00"])),
      /^error: --accent "#ffcc00" has a contrast of 1\.\d\d:1 with white text, .*choose a darker shade$/m,
    );
    assert.match(
      await recurFails(as(["merchant", "branding", "set", "--logo-url", "javascript:alert(1)"])),
      /^error: --logo-url "javascript:alert\(1\)" must be an https URL/m,
    );
    assert.match(await recurFails(as(["merchant", "branding", "set"])), /^error: nothing to set: give --display-name/m);
    assert.deepEqual(await recurJson<Shown>(as(["merchant", "branding"])), cleared, "a refusal changes nothing");
  });
});

describe("recur gas-wallet seal-key: key files the worker sends from", { timeout: 600_000 }, () => {
  let platform: Platform;
  let dir: string;
  const logged: string[] = [];
  /** The platform's own secret key: what its worker opens key files with. */
  const secret = () => ({ RECUR_SECRET_KEY: platform.server.env.RECUR_SECRET_KEY ?? "" });

  before(async () => {
    platform = await startPlatform(
      {},
      { log: pino({ level: "info" }, { write: (line: string) => void logged.push(line) }) },
    );
    dir = await mkdtemp(path.join(tmpdir(), "recur-keys-"));
  }, hookTimeouts.starting);
  after(async () => {
    await platform?.stop();
    await rm(dir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

  it("seals a key read from standard input, owner-only, and the worker activates from it as file:PATH", async () => {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    const out = path.join(dir, "gas.json");
    const sealed = await recurJson<{ address: string; keySource: string }>(
      ["gas-wallet", "seal-key", "--out", out],
      secret(),
      `${key}\n`,
    );
    assert.deepEqual(sealed, { address, keySource: `file:${out}` });
    assert.equal((await stat(out)).mode & 0o777, 0o600, "the key file is the owner's only");
    assert.ok(!(await readFile(out, "utf8")).includes(key.slice(2)), "the key is not in the file in clear");

    // the merchant's gas wallet becomes the sealed one; the worker picks the key file up on its next refresh
    await platform.client.request({
      method: "hardhat_setBalance" as never,
      params: [address, `0x${(10n ** 20n).toString(16)}`] as never,
    });
    const { merchant } = platform.server;
    await setMerchantChain(platform.server.database.db, merchant.merchantId, {
      chainId: 31337,
      payoutAddress: merchant.payout,
      gasWalletAddress: address,
      gasWalletKey: sealed.keySource,
    });
    const plan = await merchant.client.createPlan({ name: "Sealed", amount: "1 tUSDC", periodSeconds: 86_400 });
    await merchant.client.activatePlan(plan.id);
    const payer = await platform.newPayer();
    const draft = await merchant.client.createSubscription({
      planId: plan.id,
      customerId: "sealed",
      payer: payer.address,
    });
    assert.equal(draft.approval.terms.operator, address, "the sealed wallet operates the new subscription");
    await platform.approve(payer, draft);
    await merchant.client.activateSubscription(draft.contractAddress);
    let last = "";
    await platform
      .waitFor(
        "activation from the sealed wallet",
        async () => {
          const subscription = await merchant.client.getSubscription(draft.contractAddress);
          last = `${subscription.status} (${subscription.statusReason ?? "no reason"})`;
          return subscription.status === "Active" ? true : undefined;
        },
        60_000,
      )
      .catch((error: Error) => assert.fail(`${error.message}: stayed ${last}`));
    assert.equal(await platform.client.getTransactionCount({ address }), 1, "the activation was sent from it");
    assert.ok(!logged.some((line) => line.includes(key.slice(2))), "the key never reached the log");
  });

  it("reads the key from a variable with --key-env, and never replaces a file or takes the key on the command line", async () => {
    const key = generatePrivateKey();
    const out = path.join(dir, "from-env.json");
    const sealed = await recurJson<{ address: string }>(
      ["gas-wallet", "seal-key", "--out", out, "--key-env", "GAS_KEY"],
      {
        ...secret(),
        GAS_KEY: key,
      },
    );
    assert.equal(sealed.address, privateKeyToAccount(key).address);
    const before = await readFile(out, "utf8");
    assert.match(
      await recurFails(["gas-wallet", "seal-key", "--out", out], secret(), generatePrivateKey()),
      /exists: remove it first, or choose another --out/,
    );
    assert.equal(await readFile(out, "utf8"), before, "the existing file is untouched");
    assert.match(
      await recurFails(["gas-wallet", "seal-key", "--out", path.join(dir, "argv.json"), "--key", key], secret()),
      /unknown option '--key'/,
    );
    assert.match(
      await recurFails(["gas-wallet", "seal-key", "--out", path.join(dir, "bad.json")], secret(), "not a key\n"),
      /standard input must hold the gas wallet's private key: 0x and 64 hex characters/,
    );
    assert.match(
      await recurFails(
        ["gas-wallet", "seal-key", "--out", path.join(dir, "nokey.json")],
        { RECUR_SECRET_KEY: "" },
        key,
      ),
      /RECUR_SECRET_KEY is not set/,
    );
  });

  it("with another RECUR_SECRET_KEY, the worker says the file was sealed with another key and loads nothing", async () => {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    const out = path.join(dir, "other-secret.json");
    await recurJson(
      ["gas-wallet", "seal-key", "--out", out],
      { RECUR_SECRET_KEY: randomBytes(32).toString("hex") },
      key,
    );
    const { otherMerchant } = platform.server;
    await setMerchantChain(platform.server.database.db, otherMerchant.merchantId, {
      chainId: 31337,
      payoutAddress: otherMerchant.payout,
      gasWalletAddress: address,
      gasWalletKey: `file:${out}`,
    });
    const line = await platform.waitFor(
      "the worker's complaint",
      async () => logged.find((entry) => entry.includes("gas wallet unavailable") && entry.includes(address)),
      60_000,
    );
    const { reason } = JSON.parse(line) as { reason: string };
    assert.equal(
      reason,
      `cannot open the gas wallet key file ${out}: it was sealed with another RECUR_SECRET_KEY, or is damaged ` +
        "(give the worker the secret key it was sealed with, or seal the key again with `recur gas-wallet seal-key`)",
    );
    assert.ok(!line.includes(key.slice(2)), "the key is not in the complaint");
  });
});
