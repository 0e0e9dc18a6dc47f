import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { signRequest } from "../auth/signRequest.js";
import { RecurClient } from "../client/RecurClient.js";
import { apiKeys } from "../db/schema.js";
import { createMerchant, ROTATION_GRACE_SECONDS } from "../domain/merchants.js";
import { KEY_CACHE_MS } from "../http/authenticate.js";
import { buildApp } from "../http/buildApp.js";
import type { ApiKeyView } from "../schemas/apiKeys.js";

interface Key {
  apiKey: string;
  apiSecret: string;
}

interface Answer<T> {
  status: number;
  body: T & { code?: string; message?: string };
}

describe(`API keys (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

  /** A merchant of its own for a test, so that tests do not share keys. */
  async function newMerchant(): Promise<Key & { merchantId: string }> {
    return createMerchant(server.database.db, server.services.apiSecrets, {
      name: "Key Shop",
      webhookUrl: null,
      chains: [{ chainId: 31337, payoutAddress: newPayer(), gasWalletAddress: newPayer() }],
    });
  }

  const lastSigned = new Map<string, string>();

  /**
   * A request signed with `key` at the server's own (possibly moved) time. The same write is never signed twice in
   * one second (the server would refuse the second as a replay): it waits for the next.
   */
  async function send<T = unknown>(key: Key, method: string, path: string, url = server.url): Promise<Answer<T>> {
    const second = () => String(Math.floor(server.services.now().getTime() / 1000));
    const request = `${key.apiKey} ${method} ${path}`;
    if (method !== "GET" && lastSigned.get(request) === second()) {
      await sleep(1000 - (server.services.now().getTime() % 1000) + 5);
    }
    const ts = second();
    lastSigned.set(request, ts);
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        "x-api-key": key.apiKey,
        "x-api-ts": ts,
        "x-api-sig": signRequest({ secret: key.apiSecret, ts, method, path }),
      },
    });
    return { status: response.status, body: (await response.json()) as Answer<T>["body"] };
  }

  const rotate = (key: Key) => send<Key>(key, "POST", "/integration/api-keys/rotate");
  const list = async (key: Key) => {
    const answer = await send<{ apiKeys: ApiKeyView[] }>(key, "GET", "/integration/api-keys");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.apiKeys;
  };
  const revoke = (key: Key, apiKey: string) =>
    send<ApiKeyView>(key, "POST", `/integration/api-keys/${encodeURIComponent(apiKey)}/revoke`);
  const works = async (key: Key, url = server.url) =>
    (await send(key, "GET", "/integration/subscription-plans", url)).status;

  it("stores secrets only encrypted", async () => {
    const rows = await server.database.db.select().from(apiKeys).where(eq(apiKeys.id, server.merchant.apiKey));
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]?.secretCiphertext.includes(server.merchant.apiSecret));
    assert.match(rows[0]?.secretCiphertext ?? "", /^v1\./);
  });

  it("rotates: the new key works at once, the old one for a grace period, then never", async () => {
    const old = server.merchant.client;
    const issued = await old.rotateApiKey();
    assert.match(issued.apiKey, /^rk_/);
    assert.equal(issued.apiSecret.length, 64);
    assert.notEqual(issued.apiKey, server.merchant.apiKey);

    const fresh = new RecurClient(server.url, issued);
    assert.ok(Array.isArray((await fresh.listPlans()).plans));
    assert.ok(Array.isArray((await old.listPlans()).plans), "still valid during the grace period");

    server.advanceClock(ROTATION_GRACE_SECONDS + 20);
    try {
      // signed with the server's (moved) time, so only the key's expiry is in question
      const ts = String(Math.floor(server.services.now().getTime() / 1000));
      const { signRequest } = await import("../auth/signRequest.js");
      const response = await fetch(`${server.url}/integration/subscription-plans`, {
        headers: {
          "x-api-key": server.merchant.apiKey,
          "x-api-ts": ts,
          "x-api-sig": signRequest({
            secret: server.merchant.apiSecret,
            ts,
            method: "GET",
            path: "/integration/subscription-plans",
          }),
        },
      });
      assert.equal(response.status, 401);
      assert.match(((await response.json()) as { message: string }).message, /Unknown or expired API key/);
    } finally {
      server.advanceClock(-(ROTATION_GRACE_SECONDS + 20));
    }
  });

  it("returns the same new key to a retried rotation, from an encrypted record", async () => {
    const created = await server.otherMerchant.client.rotateApiKey({ idempotencyKey: "rotate-1" });
    const retried = await server.otherMerchant.client.rotateApiKey({ idempotencyKey: "rotate-1" });
    assert.deepEqual(retried, created);
    const stored = JSON.stringify(await server.database.db.select().from(apiKeys));
    assert.ok(!stored.includes(created.apiSecret));
  });

  it("refuses a rotation signed with a key already rotated away: after the grace period only the newest key works", async () => {
    const first = await newMerchant();
    const second = await rotate(first);
    assert.equal(second.status, 200);

    const counts = await server.rowCounts();
    const again = await rotate(first);
    assert.equal(again.status, 409, "a key in its grace period must not mint a key that outlives it");
    assert.equal(again.body.code, "Conflict");
    assert.match(
      again.body.message ?? "",
      /rotated away and stops working at .*: sign the rotation with your current key/,
    );
    assert.deepEqual(await server.rowCounts(), counts, "nothing written");

    // rotating with the current key ends every other key's life too
    const third = await rotate(second.body);
    assert.equal(third.status, 200);
    server.advanceClock(ROTATION_GRACE_SECONDS + 20);
    try {
      assert.deepEqual(
        [await works(first), await works(second.body), await works(third.body)],
        [401, 401, 200],
        "first, second, newest",
      );
    } finally {
      server.advanceClock(-(ROTATION_GRACE_SECONDS + 20));
    }
  });

  it("lists the merchant's keys, newest first, with status, expiry and last use, and never a secret", async () => {
    const first = await newMerchant();
    const before = server.services.now().getTime();
    const second = (await rotate(first)).body;
    const keys = await list(second);
    assert.deepEqual(
      keys.map((key) => [key.apiKey, key.status, key.signsThisRequest, key.revokedAt]),
      [
        [second.apiKey, "Active", true, null],
        [first.apiKey, "Expiring", false, null],
      ],
    );
    assert.equal(keys[0]?.expiresAt, null);
    const expiresAt = Date.parse(keys[1]?.expiresAt ?? "");
    assert.ok(
      expiresAt >= before + ROTATION_GRACE_SECONDS * 1000 - 1000 &&
        expiresAt <= server.services.now().getTime() + ROTATION_GRACE_SECONDS * 1000,
      "the old key expires a grace period after the rotation",
    );
    for (const key of keys) {
      assert.ok(Date.parse(key.lastUsedAt ?? "") >= before - 1000, `${key.status} key: its last use is recorded`);
    }
    const text = JSON.stringify(keys);
    assert.ok(!text.includes(first.apiSecret) && !text.includes(second.apiSecret), "no secret is listed");
    assert.ok(
      !(await list(server.otherMerchant)).some((key) => key.apiKey === first.apiKey),
      "another merchant's keys are not listed",
    );
  });

  it("revokes a key at once, even one this process has just accepted, whatever way it is sent", async () => {
    const first = await newMerchant();
    const second = (await rotate(first)).body;
    assert.equal(await works(first), 200, "in its grace period, and now in this process's cache");

    const revoked = await revoke(second, first.apiKey);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.equal(revoked.body.status, "Revoked");
    assert.equal(revoked.body.apiKey, first.apiKey);
    assert.equal(await works(first), 401, "refused at once");
    const basic = await fetch(`${server.url}/integration/subscription-plans`, {
      headers: { authorization: `Basic ${Buffer.from(`${first.apiKey}:${first.apiSecret}`).toString("base64")}` },
    });
    assert.equal(basic.status, 401, "and over HTTP Basic");
    assert.equal(await works(second), 200, "the other key carries on");

    const listed = (await list(second)).find((key) => key.apiKey === first.apiKey);
    assert.equal(listed?.status, "Revoked");
    assert.equal(listed?.revokedAt, revoked.body.revokedAt);
    const twice = await revoke(second, first.apiKey);
    assert.equal(twice.status, 200, "revoking again changes nothing");
    assert.equal(twice.body.revokedAt, revoked.body.revokedAt);
  });

  it("refuses to revoke the key signing the request, the last current key, and keys it does not own", async () => {
    const first = await newMerchant();
    const counts = await server.rowCounts();
    const itself = await revoke(first, first.apiKey);
    assert.equal(itself.status, 409);
    assert.match(itself.body.message ?? "", /cannot revoke itself: sign the revocation with another of your keys/);

    const second = (await rotate(first)).body;
    const afterRotation = await server.rowCounts();
    const current = await revoke(first, second.apiKey);
    assert.equal(current.status, 409, "it would leave the merchant only a key that is about to expire");
    assert.match(current.body.message ?? "", /current key .* rotate first/);

    const foreign = await revoke(second, server.otherMerchant.apiKey);
    assert.equal(foreign.status, 404);
    assert.match(foreign.body.message ?? "", /No API key/);
    assert.equal((await revoke(second, "rk_doesNotExist")).status, 404);
    assert.deepEqual(
      [await works(first), await works(second), await works(server.otherMerchant)],
      [200, 200, 200],
      "every key still works",
    );
    assert.equal(afterRotation.api_keys, (counts.api_keys ?? 0) + 1);
    assert.deepEqual(await server.rowCounts(), afterRotation, "the refusals wrote nothing");
  });

  it("stops a revoked key on another API process within the key cache's bound", async () => {
    // a second app on the same database: another API process, with its own cache of keys
    const other = await buildApp({ services: server.services });
    await other.listen({ host: "127.0.0.1", port: 0 });
    const otherUrl = `http://127.0.0.1:${(other.server.address() as AddressInfo).port}`;
    try {
      const first = await newMerchant();
      const second = (await rotate(first)).body;
      assert.equal(await works(first, otherUrl), 200, "cached by the other process");
      assert.equal((await revoke(second, first.apiKey)).status, 200);
      assert.equal(await works(first), 401, "refused at once where it was revoked");
      server.advanceClock(KEY_CACHE_MS / 1000 + 1);
      try {
        assert.equal(await works(first, otherUrl), 401, `refused elsewhere within ${KEY_CACHE_MS} ms`);
        assert.equal(await works(second, otherUrl), 200);
      } finally {
        server.advanceClock(-(KEY_CACHE_MS / 1000 + 1));
      }
    } finally {
      await other.close();
    }
  });
});
