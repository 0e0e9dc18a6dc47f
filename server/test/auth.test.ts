import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurClient } from "../client/RecurClient.js";

const run = promisify(execFile);

/** Runs the real curl, as a merchant trying the API would; the status code is its last output line. */
async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run("curl", [
    "--silent",
    "--show-error",
    "--max-time",
    "20",
    "-w",
    "\n%{http_code}",
    ...args,
  ]);
  const cut = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

/** Signs exactly as SmartyPay's documentation shows, independently of the server's own code. */
function smartyPaySign(secret: string, ts: string, method: string, path: string, body: string) {
  return createHmac("sha256", secret).update(`${ts}${method}${path}${body}`).digest("hex");
}

describe(`authentication (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  async function send(
    method: string,
    path: string,
    options: {
      body?: string;
      headers?: Record<string, string>;
      sign?: { ts?: string; secret?: string; apiKey?: string };
    } = {},
  ) {
    const body = options.body ?? "";
    const headers: Record<string, string> = { ...options.headers };
    if (body) headers["content-type"] = "application/json";
    if (options.sign) {
      const ts = options.sign.ts ?? String(Math.floor(Date.now() / 1000));
      headers["x-api-key"] = options.sign.apiKey ?? server.merchant.apiKey;
      headers["x-api-ts"] = ts;
      headers["x-api-sig"] = smartyPaySign(options.sign.secret ?? server.merchant.apiSecret, ts, method, path, body);
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body ? { body } : {}) });
    return { status: response.status, json: (await response.json()) as { code?: string; message?: string } };
  }

  it("accepts a request signed as SmartyPay documents it, over the body bytes exactly as sent", async () => {
    // a 4-space-indented body, like the published example: re-serialising it would change the signature
    const body = `{\n    "customerId": "cus-1"\n}`;
    const { status, json } = await send("POST", "/integration/subscriptions/create-customer-token", {
      body,
      sign: {},
    });
    assert.equal(status, 200, JSON.stringify(json));
  });

  it("signs the path with its query string", async () => {
    const { status } = await send("GET", "/integration/subscription-plans?limit=5&offset=0", { sign: {} });
    assert.equal(status, 200);
  });

  it("refuses each missing header with a message naming it", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const cases: [Record<string, string>, RegExp][] = [
      [{ "x-api-ts": ts, "x-api-sig": "0".repeat(64) }, /Missing x-api-key header/],
      [{ "x-api-key": server.merchant.apiKey, "x-api-sig": "0".repeat(64) }, /Missing x-api-ts header/],
      [{ "x-api-key": server.merchant.apiKey, "x-api-ts": ts }, /Missing x-api-sig header/],
    ];
    for (const [headers, message] of cases) {
      const { status, json } = await send("GET", "/integration/subscription-plans", { headers });
      assert.equal(status, 401);
      assert.equal(json.code, "Unauthorized");
      assert.match(json.message ?? "", message);
    }
  });

  it("refuses an unknown key, a wrong secret, a timestamp in milliseconds, and one outside the window", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [Parameters<typeof send>[2], RegExp][] = [
      [{ sign: { apiKey: "rk_unknown" } }, /Unknown or expired API key/],
      [{ sign: { secret: "not-the-secret" } }, /Signature does not match/],
      [{ sign: { ts: String(now * 1000) } }, /x-api-ts must be unix seconds/],
      [{ sign: { ts: String(now - 301) } }, /30\d s behind the server clock \(allowed: 300 s\)/],
      [{ sign: { ts: String(now + 400) } }, /ahead of the server clock/],
    ];
    for (const [options, message] of cases) {
      const { status, json } = await send("GET", "/integration/subscription-plans", options);
      assert.equal(status, 401, message.source);
      assert.match(json.message ?? "", message);
    }
  });

  it("refuses a body altered after signing", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const signed = '{"customerId":"cus-1"}';
    const response = await fetch(`${server.url}/integration/subscriptions/create-customer-token`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": server.merchant.apiKey,
        "x-api-ts": ts,
        "x-api-sig": smartyPaySign(
          server.merchant.apiSecret,
          ts,
          "POST",
          "/integration/subscriptions/create-customer-token",
          signed,
        ),
      },
      body: '{"customerId":"cus-2"}',
    });
    assert.equal(response.status, 401);
  });

  it("accepts a state-changing signature once, and writes once", async () => {
    const body = JSON.stringify({ name: "Once", amount: "1 tUSDC", periodSeconds: 86_400 });
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = {
      "content-type": "application/json",
      "x-api-key": server.merchant.apiKey,
      "x-api-ts": ts,
      "x-api-sig": smartyPaySign(server.merchant.apiSecret, ts, "POST", "/integration/subscription-plans", body),
    };
    const first = await fetch(`${server.url}/integration/subscription-plans`, { method: "POST", headers, body });
    assert.equal(first.status, 200);
    const counts = await server.rowCounts();
    const replay = await fetch(`${server.url}/integration/subscription-plans`, { method: "POST", headers, body });
    assert.equal(replay.status, 401);
    assert.match(((await replay.json()) as { message: string }).message, /already used/);
    assert.deepEqual(await server.rowCounts(), counts, "the replay wrote nothing");
  });

  it("lets a read repeat its signature inside the window, as SmartyPay's SDK does within one second", async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const path = "/integration/subscription-plans";
    // what the SDK sends for a GET: a JSON content type, and no body
    const headers = {
      "content-type": "application/json",
      "x-api-key": server.merchant.apiKey,
      "x-api-ts": ts,
      "x-api-sig": smartyPaySign(server.merchant.apiSecret, ts, "GET", path, ""),
    };
    for (let i = 0; i < 3; i++) {
      assert.equal((await fetch(`${server.url}${path}`, { headers })).status, 200, `read ${i + 1}`);
    }
    const head = await fetch(`${server.url}${path}`, {
      method: "HEAD",
      headers: { ...headers, "x-api-sig": smartyPaySign(server.merchant.apiSecret, ts, "HEAD", path, "") },
    });
    assert.equal(head.status, 200);
  });

  it("authenticates HTTP Basic with the API key and secret, as curl --user sends it", async () => {
    const { apiKey, apiSecret } = server.merchant;
    const read = await curl(["--user", `${apiKey}:${apiSecret}`, `${server.url}/integration/subscription-plans`]);
    assert.equal(read.status, 200, read.body);
    assert.ok(Array.isArray((JSON.parse(read.body) as { plans: unknown[] }).plans));

    const body = JSON.stringify({ name: "By Basic", amount: "2 tUSDC", periodSeconds: 86_400 });
    const created = await curl([
      "--user",
      `${apiKey}:${apiSecret}`,
      "-H",
      "content-type: application/json",
      "--data-raw",
      body,
      `${server.url}/integration/subscription-plans`,
    ]);
    assert.equal(created.status, 200, created.body);
    assert.equal((JSON.parse(created.body) as { name: string }).name, "By Basic");

    const counts = await server.rowCounts();
    const encoded = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
    const cases: [string, RegExp][] = [
      [encoded(`${apiKey}:not-the-secret`), /API secret does not match/],
      [encoded(`${apiKey}:${apiSecret.slice(0, -1)}`), /API secret does not match/],
      [encoded(`rk_unknown:${apiSecret}`), /Unknown or expired API key/],
      [encoded(`${apiKey}${apiSecret}`), /must carry base64 of API_KEY:API_SECRET/],
      ["Basic not base64!", /must carry base64 of API_KEY:API_SECRET/],
    ];
    for (const [authorization, message] of cases) {
      for (const method of ["GET", "POST"]) {
        const response = await fetch(`${server.url}/integration/subscription-plans`, {
          method,
          headers: { authorization, "content-type": "application/json" },
          ...(method === "POST" ? { body } : {}),
        });
        assert.equal(response.status, 401, `${method} ${message.source}`);
        const json = (await response.json()) as { code: string; message: string };
        assert.equal(json.code, "Unauthorized");
        assert.match(json.message, message);
      }
    }
    assert.deepEqual(await server.rowCounts(), counts, "a refused Basic request wrote nothing");
    assert.equal(
      (await curl(["--user", `${server.otherMerchant.apiKey}:${apiSecret}`, `${server.url}/integration/charges`]))
        .status,
      401,
      "one merchant's secret does not open another's key",
    );
  });

  it("honours a configured timestamp window", async () => {
    const narrow = await startTestServer({ RECUR_SIGNATURE_WINDOW_SECONDS: "10" });
    try {
      const ts = String(Math.floor(Date.now() / 1000) - 30);
      const response = await fetch(`${narrow.url}/integration/subscription-plans`, {
        headers: {
          "x-api-key": narrow.merchant.apiKey,
          "x-api-ts": ts,
          "x-api-sig": smartyPaySign(narrow.merchant.apiSecret, ts, "GET", "/integration/subscription-plans", ""),
        },
      });
      assert.equal(response.status, 401);
      assert.match(((await response.json()) as { message: string }).message, /allowed: 10 s/);
    } finally {
      await narrow.close();
    }
  });

  it("accepts a customer token and refuses a forged, expired or absent one", async () => {
    const { token } = await server.merchant.client.createCustomerToken("cus-9");
    const customer = new RecurClient(server.url, { customerToken: token });
    assert.ok(Array.isArray((await customer.listPlans()).plans));

    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    for (const authorization of [`Bearer ${forged}`, "Bearer ct_x.y", "Basic abc", `Bearer ${token} extra`]) {
      const { status, json } = await send("GET", "/integration/subscription-plans", { headers: { authorization } });
      assert.equal(status, 401, authorization);
      assert.equal(json.code, "Unauthorized");
    }
    server.advanceClock(16 * 60);
    try {
      await assert.rejects(customer.listPlans(), { status: 401, message: /invalid or expired/ });
    } finally {
      server.advanceClock(-16 * 60);
    }
  });
});
