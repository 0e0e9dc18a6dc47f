import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePorts } from "../../stack/freePort.js";
import { startProcess } from "../../stack/startProcess.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { openTestDatabase, testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer } from "../../test/support/startTestServer.js";
import { signRequest } from "../auth/signRequest.js";
import { RecurClient } from "../client/RecurClient.js";
import { loadConfig } from "../config/loadConfig.js";
import { type OpenDatabase, openDatabase } from "../db/openDatabase.js";
import { createMerchant } from "../domain/merchants.js";
import { createServices } from "../domain/Services.js";

/** The platform's API as a process of its own (`server/main.ts`), logging at `info`, as deployed. */
interface ApiProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  // owned from the moment it is spawned: killed with this process whatever the test does next
  const child = startProcess(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...process.env, ...env, RECUR_ROLES: "api", RECUR_LOG_LEVEL: "info" },
  });
  const output = () => child.output();
  const stop = async () => {
    await child.stop({ graceMs: 10_000 });
  };
  const url = `http://127.0.0.1:${env.RECUR_PORT}`;
  const deadline = Date.now() + 90_000;
  try {
    for (;;) {
      if (!child.running()) throw new Error(`the API process exited:\n${output()}`);
      if (Date.now() > deadline) throw new Error(`the API process did not listen in time:\n${output()}`);
      const health = await fetch(`${url}/health`).catch(() => undefined);
      if (health?.ok) break;
      await sleep(200);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output, stop };
}

/**
 * One signature makes one write, even across a restart: the replay guard lives in the database on both engines
 * (a PGlite data directory on disk, or PostgreSQL), not in the memory of the process that accepted the request.
 */
describe(`replayed writes after a restart (${testEngine})`, { timeout: 600_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  /** Only with PostgreSQL: the test's own connection, which also drops the database at the end. */
  let postgres: (OpenDatabase & { url?: string }) | undefined;
  let merchant: { apiKey: string; apiSecret: string };
  const running: ApiProcess[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "recur-restart-"));
    const [port, closedPort] = (await freePorts(2)) as [number, number];
    env = {
      RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
      RECUR_DATA_DIR: path.join(dir, "data"),
      RECUR_PORT: String(port),
      // no chain is needed to create drafts; nothing listens here
      RECUR_LOCAL_RPC_URL: `http://127.0.0.1:${closedPort}`,
    };
    let database: OpenDatabase;
    if (process.env.RECUR_TEST_DATABASE_URL) {
      postgres = await openTestDatabase();
      env.DATABASE_URL = postgres.url ?? "";
      database = postgres;
    } else {
      database = await openDatabase(loadConfig(env).database);
    }
    try {
      merchant = await createMerchant(database.db, createServices(database.db, loadConfig(env)).apiSecrets, {
        name: "Restart Shop",
        webhookUrl: null,
        chains: [{ chainId: 31337, payoutAddress: newPayer(), gasWalletAddress: newPayer() }],
      });
    } finally {
      // the embedded database belongs to one process: the server's, from now on
      if (!postgres) await database.close();
    }
  }, hookTimeouts.starting);
  after(async () => {
    for (const api of running) await api.stop();
    await postgres?.close();
    await rm(dir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

  it("refuses a signed POST replayed to a restarted server, and keeps one draft", async () => {
    const first = await startApi(env);
    running.push(first);
    const client = new RecurClient(first.url, merchant);
    const plan = await client.createPlan({ name: "Monthly", amount: "5 tUSDC", periodSeconds: 2_592_000 });
    await client.activatePlan(plan.id);

    const path = "/integration/subscriptions";
    const body = JSON.stringify({ planId: plan.id, customerId: "cus-restart", payer: newPayer() });
    const ts = String(Math.floor(Date.now() / 1000));
    const request = {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": merchant.apiKey,
        "x-api-ts": ts,
        "x-api-sig": signRequest({ secret: merchant.apiSecret, ts, method: "POST", path, body }),
      },
      body,
    };
    const accepted = await fetch(`${first.url}${path}`, request);
    assert.equal(accepted.status, 200, await accepted.clone().text());
    const basic = `Basic ${Buffer.from(`${merchant.apiKey}:${merchant.apiSecret}`).toString("base64")}`;
    assert.equal((await fetch(`${first.url}/integration/charges`, { headers: { authorization: basic } })).status, 200);
    await first.stop();

    const second = await startApi(env);
    running.push(second);
    const replay = await fetch(`${second.url}${path}`, request);
    assert.equal(replay.status, 401, "the restarted server remembers the signature");
    assert.match(((await replay.json()) as { message: string }).message, /already used/);
    const { subscriptions } = await new RecurClient(second.url, merchant).listSubscriptions({
      customerId: "cus-restart",
    });
    assert.equal(subscriptions.length, 1, "still one draft");
    await second.stop();

    const logged = first.output() + second.output();
    assert.match(logged, /Recur API ready/, "the processes logged");
    for (const [what, secret] of [
      ["API secret", merchant.apiSecret],
      ["API key", merchant.apiKey],
      ["signature", request.headers["x-api-sig"]],
      ["Basic credentials", basic.slice("Basic ".length)],
    ] as const) {
      assert.ok(!logged.includes(secret), `the ${what} was logged`);
    }
  });
});
