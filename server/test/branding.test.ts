import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { RecurApiError, RecurClient } from "../client/RecurClient.js";
import { contrastRatio } from "../domain/brandingRules.js";

/** The refusal `promise` ends in: its status, message and the paths of its details. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string; paths: string[] }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RecurApiError, String(error));
    return { status: error.status, message: error.message, paths: (error.details ?? []).map((detail) => detail.path) };
  }
  assert.fail("the request was accepted");
}

/**
 * A merchant's branding over the real API on a real database: read by the merchant and its customers' tokens,
 * changed by the merchant only, every field checked (and nothing written when one is refused), and shown on the
 * hosted checkout session.
 */
describe(`merchant branding (${testEngine})`, { timeout: 300_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);

  it("defaults to the merchant's name with nothing else set", async () => {
    assert.deepEqual(await server.merchant.client.getBranding(), {
      displayName: "Test Shop",
      logoUrl: null,
      accentColor: null,
      supportUrl: null,
    });
  });

  it("sets, keeps what is left out, clears with null, and is the merchant's own", async () => {
    const { client } = server.merchant;
    const set = await client.setBranding({
      displayName: "  Demo merchant  ",
      logoUrl: "https://shop.example/logo.png",
      accentColor: "#2151D1",
      supportUrl: "mailto:help@shop.example",
    });
    assert.deepEqual(set, {
      displayName: "Demo merchant",
      logoUrl: "https://shop.example/logo.png",
      accentColor: "#2151d1",
      supportUrl: "mailto:help@shop.example",
    });
    assert.deepEqual(await client.getBranding(), set);

    const changed = await client.setBranding({ supportUrl: "https://shop.example/help", logoUrl: null });
    assert.deepEqual(changed, { ...set, supportUrl: "https://shop.example/help", logoUrl: null });
    assert.deepEqual(await client.getBranding(), changed);

    const reset = await client.setBranding({ displayName: null });
    assert.equal(reset.displayName, "Test Shop");
    // a loopback http logo is allowed, for the local demo
    const local = await client.setBranding({ logoUrl: "http://127.0.0.1:5173/favicon.svg", displayName: "Demo" });
    assert.equal(local.logoUrl, "http://127.0.0.1:5173/favicon.svg");

    assert.equal((await server.otherMerchant.client.getBranding()).displayName, "Other Shop");
  });

  it("is idempotent with X-Idempotency-Key: the same key and body answer the same, another body is a 409", async () => {
    const { client } = server.merchant;
    const first = await client.setBranding({ displayName: "Once" }, { idempotencyKey: "branding-1" });
    await client.setBranding({ displayName: "Changed since" });
    const again = await client.setBranding({ displayName: "Once" }, { idempotencyKey: "branding-1" });
    assert.deepEqual(again, first);
    assert.equal((await client.getBranding()).displayName, "Changed since", "the replay wrote nothing");
    const conflict = await refusal(client.setBranding({ displayName: "Other" }, { idempotencyKey: "branding-1" }));
    assert.equal(conflict.status, 409);
  });

  it("refuses every bad field with a message naming it, and writes nothing", async () => {
    const { client } = server.merchant;
    const before = await client.setBranding({ displayName: "Kept", accentColor: "#1b6e20", logoUrl: null });
    const cases: { change: Record<string, unknown>; path: string; message: RegExp }[] = [
      {
        change: { accentColor: "#ffcc00" },
        path: "body.accentColor",
        message: /contrast of 1\.\d\d:1 with white text, below the 4\.5:1 buttons need: choose a darker shade/,
      },
      { change: { accentColor: "red" }, path: "body.accentColor", message: /#rrggbb/ },
      { change: { logoUrl: "javascript:alert(1)" }, path: "body.logoUrl", message: /https/ },
      { change: { logoUrl: "http://cdn.shop.example/logo.png" }, path: "body.logoUrl", message: /must be https/ },
      { change: { logoUrl: "https://user:pw@shop.example/l.png" }, path: "body.logoUrl", message: /user name/ },
      {
        change: { logoUrl: `https://shop.example/${"a".repeat(2_048)}` },
        path: "body.logoUrl",
        message: /at most 2048/,
      },
      { change: { supportUrl: "javascript:alert(1)" }, path: "body.supportUrl", message: /https URL or a mailto/ },
      { change: { supportUrl: "mailto:nobody" }, path: "body.supportUrl", message: /email address/ },
      { change: { displayName: "x".repeat(81) }, path: "body.displayName", message: /at most 80 characters/ },
      { change: { displayName: "   " }, path: "body.displayName", message: /must not be empty/ },
      { change: { displayName: "Line\nbreak" }, path: "body.displayName", message: /control characters/ },
      { change: { displayName: "Fine", colour: "#000000" }, path: "body", message: /colour/ },
    ];
    for (const { change, path, message } of cases) {
      const refused = await refusal(client.request("PUT", "/integration/merchant/branding", change));
      assert.equal(refused.status, 400, JSON.stringify(change));
      assert.match(refused.message, message, JSON.stringify(change));
      assert.ok(refused.paths.includes(path), `${JSON.stringify(change)}: ${refused.paths.join(", ")}`);
    }
    assert.deepEqual(await client.getBranding(), before);
  });

  it("takes a colour at exactly enough contrast and refuses one just short of it", async () => {
    // #767676 is the lightest grey with 4.5:1 on white; #777777 falls just short
    assert.ok(contrastRatio("#767676", "#ffffff") >= 4.5);
    assert.ok(contrastRatio("#777777", "#ffffff") < 4.5);
    assert.equal((await server.merchant.client.setBranding({ accentColor: "#767676" })).accentColor, "#767676");
    const refused = await refusal(server.merchant.client.setBranding({ accentColor: "#777777" }));
    assert.match(refused.message, /contrast of 4\.47:1/);
  });

  it("lets a customer token read it but never change it", async () => {
    const { client } = server.merchant;
    const current = await client.getBranding();
    const { token } = await client.createCustomerToken("branding-customer");
    const customer = new RecurClient(server.url, { customerToken: token });
    assert.deepEqual(await customer.getBranding(), current);
    const refused = await refusal(customer.setBranding({ displayName: "Hijacked" }));
    assert.equal(refused.status, 401);
    assert.deepEqual(await client.getBranding(), current);
    const anonymous = await refusal(new RecurClient(server.url).getBranding());
    assert.equal(anonymous.status, 401);
  });

  it("comes with the hosted checkout session", async () => {
    const { client } = server.merchant;
    const branding = await client.setBranding({ displayName: "Hosted shop", supportUrl: "https://shop.example/help" });
    const plan = await client.createPlan({ name: "Monthly", amount: "5 tUSDC", interval: "Month" });
    await client.activatePlan(plan.id);
    const session = await client.createCheckoutSession({
      planId: plan.id,
      customerId: "c-branding",
      successUrl: "https://shop.example/ok",
      cancelUrl: "https://shop.example/no",
    });
    const hosted = (await (await fetch(`${server.url}/checkout-sessions/${session.id}`)).json()) as {
      branding: unknown;
    };
    assert.deepEqual(hosted.branding, branding);
  });
});
