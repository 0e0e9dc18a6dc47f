import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { hookTimeouts } from "../../scripts/lib/hookTimeouts.js";
import { RecurClient } from "../client/RecurClient.js";
import { apiKeys } from "../db/schema.js";
import { ROTATION_GRACE_SECONDS } from "../domain/merchants.js";
import { testEngine } from "./support/openTestDatabase.js";
import { startTestServer, type TestServer } from "./support/startTestServer.js";

describe(`API keys (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server.close();
  }, hookTimeouts.stopping);

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
});
