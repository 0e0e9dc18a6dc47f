import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { signRequest } from "../auth/signRequest.js";
import { RecurClient } from "../client/RecurClient.js";

/** A window far longer than the tests, so that no count is reset half-way on a busy machine. */
const WINDOW = "10m";

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { status?: number; code?: string; message?: string };
}

async function answer(response: Response): Promise<Answer> {
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as Answer["body"],
  };
}

/** A signed GET; `secret` may be wrong on purpose. */
async function signedGet(url: string, path: string, key: { apiKey: string; apiSecret: string }) {
  const ts = String(Math.floor(Date.now() / 1000));
  const headers = {
    "x-api-key": key.apiKey,
    "x-api-ts": ts,
    "x-api-sig": signRequest({ secret: key.apiSecret, ts, method: "GET", path }),
  };
  return answer(await fetch(`${url}${path}`, { headers }));
}

function assertLimited(got: Answer, who: RegExp) {
  assert.equal(got.status, 429, JSON.stringify(got.body));
  assert.equal(got.body.status, 429);
  assert.equal(got.body.code, "TooManyRequests");
  assert.match(got.body.message ?? "", who);
  const seconds = Number(/retry after (\d+) s$/.exec(got.body.message ?? "")?.[1]);
  assert.ok(seconds >= 1 && seconds <= 600, `retry after ${seconds} s, within the window`);
  assert.equal(got.retryAfter, String(seconds), "Retry-After says the same");
}

describe(`rate limits (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let behindProxy: TestServer;
  before(async () => {
    [server, behindProxy] = await Promise.all([
      startTestServer({
        RECUR_RATE_LIMIT_PER_KEY: "5",
        RECUR_RATE_LIMIT_PER_ADDRESS: "4",
        RECUR_RATE_LIMIT_WINDOW: WINDOW,
      }),
      startTestServer({
        RECUR_RATE_LIMIT_PER_ADDRESS: "2",
        RECUR_RATE_LIMIT_WINDOW: WINDOW,
        RECUR_TRUST_PROXY: "127.0.0.1",
      }),
    ]);
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
    await behindProxy?.close();
  }, hookTimeouts.stopping);

  // the tests below share one server's counts, in this order; only the second one spends the address's budget

  it("limits each API key and each customer on its own, whatever way the key is sent", async () => {
    const { merchant, otherMerchant } = server;
    const plans = "/integration/subscription-plans";
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signedGet(server.url, plans, merchant)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    assertLimited(await signedGet(server.url, plans, merchant), /^Too many requests for this API key: retry after/);

    const basic = `Basic ${Buffer.from(`${merchant.apiKey}:${merchant.apiSecret}`).toString("base64")}`;
    const counts = await server.rowCounts();
    const write = await fetch(`${server.url}${plans}`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json" },
      body: JSON.stringify({ name: "Over", amount: "1 tUSDC", periodSeconds: 86_400 }),
    });
    assertLimited(await answer(write), /for this API key/);
    assert.deepEqual(await server.rowCounts(), counts, "a limited request writes nothing");

    assert.equal((await signedGet(server.url, plans, otherMerchant)).status, 200, "another key has its own count");
    const one = new RecurClient(server.url, {
      customerToken: (await otherMerchant.client.createCustomerToken("cus-1")).token,
    });
    const two = new RecurClient(server.url, {
      customerToken: (await otherMerchant.client.createCustomerToken("cus-2")).token,
    });
    for (let i = 0; i < 5; i++) await one.listPlans();
    await assert.rejects(one.listPlans(), (error: { status: number; code: string; message: string }) => {
      assert.deepEqual([error.status, error.code], [429, "TooManyRequests"]);
      assert.match(error.message, /^Too many requests for this customer: retry after \d+ s$/);
      return true;
    });
    assert.ok(Array.isArray((await two.listPlans()).plans), "another customer has its own count");
  });

  it("limits public routes and failed credentials per client address, whatever X-Forwarded-For says", async () => {
    const { otherMerchant } = server;
    const wrongSecret = { apiKey: otherMerchant.apiKey, apiSecret: "not-the-secret" };
    const unknown = "/integration/subscriptions/0x0000000000000000000000000000000000000001/status";
    assert.equal((await answer(await fetch(`${server.url}/chains`))).status, 200);
    assert.equal((await answer(await fetch(`${server.url}${unknown}`))).status, 404);
    assert.equal((await signedGet(server.url, "/integration/charges", wrongSecret)).status, 401);
    const spoofed = (address: string) => ({ headers: { "x-forwarded-for": address } });
    assert.equal((await answer(await fetch(`${server.url}/chains`, spoofed("203.0.113.9")))).status, 200);

    // the address's 4 are spent: a made-up client address does not buy more, nor does anything else anonymous
    assertLimited(await answer(await fetch(`${server.url}/chains`, spoofed("198.51.100.7"))), /from this address/);
    assertLimited(await signedGet(server.url, "/integration/charges", wrongSecret), /from this address/);
    assertLimited(await answer(await fetch(`${server.url}/no/such/route`)), /from this address/);
    const counts = await server.rowCounts();
    const hint = await fetch(`${server.url}/integration/subscriptions/hint-update-state`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hash: `0x${"ab".repeat(32)}`, blockchain: "localhost" }),
    });
    assertLimited(await answer(hint), /from this address/);
    assert.deepEqual(await server.rowCounts(), counts, "a limited request writes nothing");

    // failed attempts with a key's id were counted against the address, never against the key
    assert.equal((await signedGet(server.url, "/integration/charges", otherMerchant)).status, 200);
  });

  it("counts the client named by X-Forwarded-For when the request comes through a trusted proxy", async () => {
    const from = async (address: string) =>
      (await fetch(`${behindProxy.url}/chains`, { headers: { "x-forwarded-for": address } })).status;
    assert.deepEqual(
      [await from("203.0.113.1"), await from("203.0.113.1"), await from("203.0.113.1")],
      [200, 200, 429],
    );
    assert.equal(await from("203.0.113.2"), 200, "another client behind the proxy has its own count");
  });
});
