import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import pino from "pino";
import { waitUntil } from "../../stack/waitUntil.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { type LoopbackServer, startLoopbackServer } from "../../test/support/startLoopbackServer.js";
import { startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { startWebhookReceiver } from "../../test/support/startWebhookReceiver.js";
import { merchants } from "../db/schema.js";
import { type HostResolver, systemResolver } from "../domain/webhookTarget.js";
import { runLoop } from "../worker/runLoop.js";
import { WebhookDispatcher } from "../worker/WebhookDispatcher.js";

/** A public address (example.com's) that names resolve to at first; nothing in these tests ever connects to it. */
const PUBLIC_IP = "93.184.216.34";

/**
 * DNS as an attacker who owns a domain controls it: names answer what the test says, and may change their answer
 * between the check when the URL is set and the delivery (rebinding). Other names go to the system's resolver.
 */
function attackerDns() {
  const answers = new Map<string, string[]>([
    ["rebind.example", [PUBLIC_IP]],
    ["internal.example", ["10.1.2.3"]],
    ["mixed.example", [PUBLIC_IP, "192.168.0.10"]],
    ["mapped.example", ["::ffff:127.0.0.1"]],
  ]);
  const lookups: string[] = [];
  const resolve: HostResolver = async (hostname) => {
    lookups.push(hostname);
    return answers.get(hostname) ?? systemResolver(hostname);
  };
  return { answers, lookups, resolve };
}

function dispatch(server: TestServer, signal: AbortSignal): Promise<void> {
  const dispatcher = new WebhookDispatcher(server.services, {
    firstRetrySeconds: 60,
    maxDelaySeconds: 60,
    giveUpAfterSeconds: 86_400,
    timeoutMs: 2_000,
  });
  return runLoop(dispatcher, { idleMs: 50, signal, log: pino({ level: "silent" }) });
}

/**
 * Webhook URLs cannot reach the platform's own network (SSRF): refused when set, whatever form the address takes,
 * and checked again at every delivery against the address actually connected to, so a name that later resolves to
 * a private address (DNS rebinding) reaches nothing. Receivers on loopback prove that no connection is made.
 */
describe(`webhook targets: public addresses only (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dns = attackerDns();
  const stop = new AbortController();
  let dispatching: Promise<void>;
  let port: number;

  before(async () => {
    server = await startTestServer({}, { resolveHost: dns.resolve });
    receiver = await startWebhookReceiver(() => server.merchant.apiSecret);
    port = Number(new URL(receiver.url).port);
    dispatching = dispatch(server, stop.signal);
  }, hookTimeouts.starting);
  after(async () => {
    stop.abort();
    await dispatching;
    await server?.close();
    await receiver?.close();
  }, hookTimeouts.stopping);

  async function storedUrl(merchant = server.merchant): Promise<string | null> {
    const [row] = await server.database.db
      .select({ url: merchants.webhookUrl })
      .from(merchants)
      .where(eq(merchants.id, merchant.merchantId));
    return row?.url ?? null;
  }

  /** Sends a test event and waits for its first delivery attempt to be logged. */
  async function firstAttempt(merchant = server.merchant) {
    const event = await merchant.client.sendTestWebhook();
    return waitUntil("a delivery attempt", async () => {
      const { deliveries } = await merchant.client.listWebhookDeliveries({ eventId: event.eventId });
      return deliveries[0];
    });
  }

  it("refuses loopback, private, link-local, unique-local, mapped and numeric forms when set, naming body.url", async () => {
    const hostile = [
      `http://127.0.0.1:${port}/hooks`,
      `http://localhost:${port}/hooks`,
      `http://2130706433:${port}/hooks`,
      `http://0x7f.0.0.1:${port}/hooks`,
      `http://0177.0.0.1:${port}/hooks`,
      `http://127.1:${port}/hooks`,
      `http://0.0.0.0:${port}/hooks`,
      "http://10.0.0.5/hooks",
      "http://172.16.3.4/hooks",
      "http://192.168.1.1/hooks",
      "http://100.64.0.1/hooks",
      "http://169.254.169.254/latest/meta-data/",
      `http://[::1]:${port}/hooks`,
      `http://[::ffff:127.0.0.1]:${port}/hooks`,
      "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
      "http://[::7f00:1]/hooks",
      "http://[fd12:3456::1]/hooks",
      "http://[fe80::1]/hooks",
      "http://[::]/hooks",
      "http://[64:ff9b::a9fe:a9fe]/hooks",
      "https://internal.example/hooks",
      "https://mixed.example/hooks",
      "https://mapped.example/hooks",
    ];
    const counts = await server.rowCounts();
    for (const url of hostile) {
      await assert.rejects(
        server.merchant.client.setWebhookUrl(url),
        (error: { status: number; code: string; message: string; details?: { path: string }[] }) => {
          assert.equal(error.status, 400, url);
          assert.equal(error.code, "BadRequest", url);
          assert.match(error.message, /body\.url: .*(public addresses only)/, url);
          assert.deepEqual(
            error.details?.map((detail) => detail.path),
            ["body.url"],
            url,
          );
          return true;
        },
      );
    }
    assert.equal(await storedUrl(), null, "nothing was stored");
    assert.deepEqual(await server.rowCounts(), counts, "nothing was written");
    assert.equal(receiver.attempts(), 0);
  });

  it("refuses a host that does not resolve, and accepts public addresses and names", async () => {
    // the other merchant has no events: with its URL public for a moment, nothing can be sent there
    const { otherMerchant } = server;
    await assert.rejects(otherMerchant.client.setWebhookUrl("https://nothing-here.invalid/hooks"), {
      status: 400,
      message: /body\.url: its host nothing-here\.invalid does not resolve/,
    });
    for (const url of [
      `https://${PUBLIC_IP}/hooks`,
      "https://[2606:4700:4700::1111]/hooks",
      "https://rebind.example/h",
    ]) {
      assert.deepEqual(await otherMerchant.client.setWebhookUrl(url), { url });
      assert.equal(await storedUrl(otherMerchant), url);
    }
    await otherMerchant.client.setWebhookUrl(null);
  });

  it("refuses at delivery, without connecting, a stored URL on loopback", async () => {
    // a URL stored before the check existed (or by an operator): the dispatcher must not trust it
    await server.database.db
      .update(merchants)
      .set({ webhookUrl: `http://localhost:${port}/hooks` })
      .where(eq(merchants.id, server.merchant.merchantId));
    const attempt = await firstAttempt();
    assert.equal(attempt.error, "refused: private address (not connected)");
    assert.equal(attempt.responseStatus, null, "nothing answered: nothing was asked");
    assert.equal(receiver.attempts(), 0, "the loopback receiver saw no request");
  });

  it("refuses at delivery a name that resolved to a public address when set and to loopback now", async () => {
    // the other merchant has no event pending while its name still resolves to the public address
    const { otherMerchant } = server;
    dns.answers.set("rebind.example", [PUBLIC_IP]);
    const url = `http://rebind.example:${port}/hooks`;
    assert.deepEqual(await otherMerchant.client.setWebhookUrl(url), { url }, "public when set");
    dns.answers.set("rebind.example", ["127.0.0.1"]);
    const lookupsBefore = dns.lookups.filter((name) => name === "rebind.example").length;
    const attempt = await firstAttempt(otherMerchant);
    assert.equal(attempt.error, "refused: private address (not connected)");
    assert.equal(attempt.url, url);
    assert.ok(
      dns.lookups.filter((name) => name === "rebind.example").length > lookupsBefore,
      "the name was resolved again at delivery",
    );
    assert.equal(receiver.attempts(), 0, "the loopback receiver saw no request");
  });
});

describe(`webhook targets: private ones allowed for local development (${testEngine})`, { timeout: 600_000 }, () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const dns = attackerDns();
  const stop = new AbortController();
  let dispatching: Promise<void>;
  let redirector: LoopbackServer | undefined;

  before(async () => {
    server = await startTestServer({ RECUR_WEBHOOK_ALLOW_PRIVATE: "on" }, { resolveHost: dns.resolve });
    receiver = await startWebhookReceiver(() => server.merchant.apiSecret);
    dispatching = dispatch(server, stop.signal);
  }, hookTimeouts.starting);
  after(async () => {
    stop.abort();
    await dispatching;
    await redirector?.close();
    await server?.close();
    await receiver?.close();
  }, hookTimeouts.stopping);

  it("connects to the address the check resolved, keeping the URL's host in the Host header", async () => {
    // no system resolver knows this name: the request can only have gone to the vetted address
    const port = new URL(receiver.url).port;
    dns.answers.set("hooks.recur-test", ["127.0.0.1"]);
    await server.merchant.client.setWebhookUrl(`http://hooks.recur-test:${port}/hooks`);
    const event = await server.merchant.client.sendTestWebhook();
    const arrived = await waitUntil("the test event", async () =>
      receiver.received.find((received) => received.eventId === event.eventId),
    );
    assert.equal(arrived.host, `hooks.recur-test:${port}`);
    assert.ok(arrived.signatureValid);
  });

  it("does not follow a redirect", async () => {
    redirector = await startLoopbackServer((_request, response) => {
      response.writeHead(302, { location: receiver.url }).end();
    });
    const before = receiver.attempts();
    await server.merchant.client.setWebhookUrl(`${redirector.origin}/moved`);
    const event = await server.merchant.client.sendTestWebhook();
    const attempt = await waitUntil("a delivery attempt", async () => {
      const { deliveries } = await server.merchant.client.listWebhookDeliveries({ eventId: event.eventId });
      return deliveries[0];
    });
    assert.deepEqual([attempt.responseStatus, attempt.error], [302, "HTTP 302"]);
    assert.equal(receiver.attempts(), before, "the redirect's target was not asked");
  });
});
