import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { RecurClient } from "../../server/client/RecurClient.js";
import type { Draft, SubscriptionResource } from "../../server/schemas/subscriptions.js";
import { freePort } from "../../stack/freePort.js";
import { type ProcessExit, startProcess } from "../../stack/startProcess.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import type { TestPayer } from "../../test/support/startPlatform.js";
import { buildWebApp } from "../server/buildWebApp.js";
import { PlatformAccess } from "../server/platform/PlatformAccess.js";
import { BrowserSession } from "./support/BrowserSession.js";
import { startWebStack, type WebStack } from "./support/startWebStack.js";

/** `address` (EIP-55 checksummed) with one letter's case flipped, still mixed case: a typo the checksum catches. */
function withWrongChecksum(address: string): string {
  const letters = [...address.slice(2)].flatMap((char, index) => (/[a-f]/i.test(char) ? [index + 2] : []));
  const upper = letters.filter((index) => /[A-F]/.test(address[index] ?? ""));
  const lower = letters.filter((index) => /[a-f]/.test(address[index] ?? ""));
  const flip = upper.length >= 2 ? upper[0] : lower[0];
  assert.ok(flip !== undefined && upper.length + lower.length >= 2, `${address} has too few letters to mistype`);
  const char = address[flip] ?? "";
  const typo = `${address.slice(0, flip)}${char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase()}${address.slice(flip + 1)}`;
  assert.ok(isAddress(typo, { strict: false }) && !isAddress(typo, { strict: true }), typo);
  return typo;
}

/** What a server at `url` answers to `bytes` written on a bare TCP connection, read until it closes. */
async function exchangeRaw(
  url: string,
  bytes: string,
): Promise<{ status: number; head: string; contentType: string | undefined; body: string }> {
  const { hostname, port } = new URL(url);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer from ${url} within 15 s`)));
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // the server may close before it has read everything sent: what it answered is still there
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? resolve(Buffer.concat(chunks).toString()) : reject(error),
    );
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
  });
  const split = raw.indexOf("\r\n\r\n");
  const head = split === -1 ? raw : raw.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1] ?? 0);
  const contentType = /^content-type: *(.+)$/im.exec(head)?.[1]?.trim();
  return { status, head, contentType, body: split === -1 ? "" : raw.slice(split + 4) };
}

/**
 * The signing proxy over real HTTP, in front of the real platform (API, worker, database) on a real local chain:
 * Sign-In with Ethereum, what a signed-in payer may do and nothing more, refusals with clear 4xx answers, CORS,
 * rate limits, and no credential of the merchant in anything a browser receives.
 */
describe("signing proxy", { timeout: 900_000 }, () => {
  let stack: WebStack;
  const browsers: BrowserSession[] = [];
  const browser = (origin?: string) => {
    const session = new BrowserSession(stack.url, origin);
    browsers.push(session);
    return session;
  };
  let alice: TestPayer;
  let bob: TestPayer;
  let aliceBrowser: BrowserSession;
  let bobBrowser: BrowserSession;
  /** Alice's subscription, active on chain. */
  let aliceSubscription: string;

  const adminKey = generatePrivateKey();

  before(async () => {
    stack = await startWebStack({ adminAddresses: [privateKeyToAccount(adminKey).address] });
    alice = await stack.platform.newPayer();
    bob = await stack.platform.newPayer();
    aliceBrowser = browser();
    bobBrowser = browser();
  }, hookTimeouts.starting);
  after(async () => {
    await stack?.stop();
  }, hookTimeouts.stopping);

  async function subscription(session: BrowserSession, address: string) {
    return session.get<SubscriptionResource & { charges: unknown[] }>(`/api/me/subscriptions/${address}`);
  }

  it("lists the merchant's Active plans to anyone, and nothing of its other plans", async () => {
    const visitor = browser();
    const { status, body } = await visitor.get<{ plans: { id: string; status: string }[] }>("/api/plans");
    assert.equal(status, 200);
    const ids = body.plans.map((plan) => plan.id).sort();
    const { draft, ...active } = stack.plans;
    assert.deepEqual(
      ids,
      Object.values(active)
        .map((plan) => plan.id)
        .sort(),
    );
    assert.ok(!ids.includes(draft.id));
    assert.ok(body.plans.every((plan) => plan.status === "Active"));

    const one = await visitor.get<{ id: string; payee: string }>(`/api/plans/${stack.plans.usdc.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.payee, stack.platform.server.merchant.payout);
    const hidden = await visitor.get<{ code: string }>(`/api/plans/${stack.plans.draft.id}`);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, "NotFound");
  });

  it("serves the site's configuration: the chains it has an RPC URL for, without the platform's secrets", async () => {
    const { status, body } = await browser().get<{ chains: { chainId: number; rpcUrl: string; tokens: unknown[] }[] }>(
      "/api/config",
    );
    assert.equal(status, 200);
    assert.deepEqual(
      body.chains.map((chain) => [chain.chainId, chain.rpcUrl]),
      [[31337, stack.platform.node.url]],
    );
    assert.ok(body.chains[0] && body.chains[0].tokens.length >= 3);
  });

  it("signs a payer in with Ethereum and binds the session cookie to that wallet", async () => {
    const signedIn = await aliceBrowser.signIn(alice.key);
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.deepEqual(signedIn.body, { address: alice.address, admin: false });
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith("recur_session="));
    assert.match(cookie ?? "", /HttpOnly/i);
    assert.match(cookie ?? "", /SameSite=Lax/i);
    const session = await aliceBrowser.get("/api/auth/session");
    assert.equal(session.status, 200);
    assert.equal(session.body.address, alice.address);
    assert.equal((await bobBrowser.signIn(bob.key)).status, 200);
  });

  it("refuses sign-ins that are not this browser's, this site's, or the named wallet's", async () => {
    const account = privateKeyToAccount(alice.key);
    const other = privateKeyToAccount(bob.key);
    const attempt = async (
      build: (nonce: string) => string,
      sign: (message: string) => Promise<`0x${string}`> = (message) => account.signMessage({ message }),
    ) => {
      const session = browser();
      const { body } = await session.get<{ nonce: string }>("/api/auth/nonce");
      const message = build(body.nonce);
      return {
        session,
        answer: await session.post<{ message: string }>("/api/auth/verify", {
          message,
          signature: await sign(message),
        }),
      };
    };

    const foreignNonce = await attempt(() => aliceBrowser.signInMessage(alice.address, "abcdefgh12345678"));
    assert.equal(foreignNonce.answer.status, 401);
    assert.match(foreignNonce.answer.body.message, /nonce/);

    const otherSite = await attempt((nonce) =>
      aliceBrowser.signInMessage(alice.address, nonce, { domain: "evil.example" }),
    );
    assert.equal(otherSite.answer.status, 401);
    assert.match(otherSite.answer.body.message, /evil\.example/);

    const otherChain = await attempt((nonce) => aliceBrowser.signInMessage(alice.address, nonce, { chainId: 1 }));
    assert.equal(otherChain.answer.status, 400);
    assert.match(otherChain.answer.body.message, /chain 1/);

    const expired = await attempt((nonce) =>
      aliceBrowser.signInMessage(alice.address, nonce, { expirationTime: new Date(Date.now() - 60_000) }),
    );
    assert.equal(expired.answer.status, 401);
    assert.match(expired.answer.body.message, /expired/);

    const impostor = await attempt(
      (nonce) => aliceBrowser.signInMessage(alice.address, nonce),
      (message) => other.signMessage({ message }),
    );
    assert.equal(impostor.answer.status, 401);
    assert.match(impostor.answer.body.message, /not .*signature/);
    // the nonce was spent by the failed attempt: the right signature now is refused too
    const { session } = impostor;
    const retry = session.signInMessage(alice.address, "abcdefgh12345678");
    const replay = await session.post("/api/auth/verify", {
      message: retry,
      signature: await account.signMessage({ message: retry }),
    });
    assert.equal(replay.status, 401);
    assert.equal((await session.get("/api/auth/session")).status, 401);
  });

  /** No session cookie in `answer`: a refused sign-in must not hand one out. */
  function assertNoSessionCookie(answer: { headers: Headers }) {
    assert.deepEqual(
      answer.headers.getSetCookie().filter((line) => line.startsWith("recur_session=")),
      [],
      "a refused sign-in set a session cookie",
    );
  }

  it("refuses a sign-in relayed from another site, whatever Host and Origin the request claims", async () => {
    // a phishing page got the victim to sign "evil.example wants you to sign in" with a nonce it fetched from here
    const victim = privateKeyToAccount(alice.key);
    const attacker = browser();
    const relay = async (headers: Record<string, string>) => {
      const { body } = await attacker.get<{ nonce: string }>("/api/auth/nonce");
      const message = createSiweMessage({
        domain: "evil.example",
        address: victim.address,
        uri: "http://evil.example",
        version: "1",
        chainId: 31337,
        nonce: body.nonce,
        statement: "Sign in to evil.example",
      });
      const signature = await victim.signMessage({ message });
      return attacker.requestWithHost<{ message: string }>(
        "evil.example",
        "POST",
        "/api/auth/verify",
        { message, signature },
        headers,
      );
    };

    // the site's origin is its configuration: a page of evil.example may not write here at all
    const forgedOrigin = await relay({ origin: "http://evil.example" });
    assert.equal(forgedOrigin.status, 403, JSON.stringify(forgedOrigin.body));
    assert.match(forgedOrigin.body.message, /evil\.example may not change anything/);
    assertNoSessionCookie(forgedOrigin);

    // and with the site's own Origin, the message still names another site than this one
    const site = new URL(stack.url).host;
    const forgedHost = await relay({ origin: stack.url });
    assert.equal(forgedHost.status, 401, JSON.stringify(forgedHost.body));
    assert.match(
      forgedHost.body.message,
      new RegExp(`for evil\\.example, but this site is ${site.replaceAll(".", "\\.")}`),
    );
    assertNoSessionCookie(forgedHost);

    for (const answer of [
      await attacker.get("/api/auth/session"),
      await attacker.requestWithHost("evil.example", "GET", "/api/auth/session"),
      await attacker.get("/api/me/subscriptions"),
    ]) {
      assert.equal(answer.status, 401);
    }
  });

  it("refuses a message whose URI, chain, Issued At or expiry does not fit this sign-in, and sets no cookie", async () => {
    const account = privateKeyToAccount(alice.key);
    const attempt = async (overrides: (nonce: string) => Parameters<BrowserSession["signInMessage"]>[2]) => {
      const session = browser();
      const { body } = await session.get<{ nonce: string }>("/api/auth/nonce");
      const message = session.signInMessage(alice.address, body.nonce, overrides(body.nonce));
      const answer = await session.post<{ message: string }>("/api/auth/verify", {
        message,
        signature: await account.signMessage({ message }),
      });
      if (answer.status !== 200) {
        assertNoSessionCookie(answer);
        assert.equal((await session.get("/api/auth/session")).status, 401, "a refused sign-in left a session");
      }
      return answer;
    };
    const minutes = (count: number) => new Date(Date.now() + count * 60_000);

    const otherUri = await attempt(() => ({ uri: "https://evil.example/login" }));
    assert.equal(otherUri.status, 401, JSON.stringify(otherUri.body));
    assert.match(otherUri.body.message, /URI https:\/\/evil\.example\/login is not on this site/);

    const otherChain = await attempt(() => ({ chainId: 8453 }));
    assert.equal(otherChain.status, 400, JSON.stringify(otherChain.body));
    assert.match(otherChain.body.message, /chain 8453, which this site does not serve: use chain 31337/);

    const future = await attempt(() => ({ issuedAt: minutes(10) }));
    assert.equal(future.status, 401, JSON.stringify(future.body));
    assert.match(future.body.message, /in the future/);

    // the nonce was handed out just now: a message that says it is ten minutes old was not written for it
    const beforeNonce = await attempt(() => ({ issuedAt: minutes(-10) }));
    assert.equal(beforeNonce.status, 401, JSON.stringify(beforeNonce.body));
    assert.match(beforeNonce.body.message, /before its nonce was handed out/);

    const expired = await attempt(() => ({ issuedAt: new Date(), expirationTime: minutes(-1) }));
    assert.equal(expired.status, 401, JSON.stringify(expired.body));
    assert.match(expired.body.message, /expired/);

    // a wallet whose clock runs half a minute slow still signs in
    const slowClock = await attempt(() => ({ issuedAt: new Date(Date.now() - 30_000) }));
    assert.equal(slowClock.status, 200, JSON.stringify(slowClock.body));
  });

  it("refuses what a signed-out browser asks of the payer's routes", async () => {
    const visitor = browser();
    for (const answer of [
      await visitor.get("/api/me/subscriptions"),
      await visitor.post("/api/me/subscriptions", { planId: stack.plans.usd.id }),
    ]) {
      assert.equal(answer.status, 401);
      assert.match(String(answer.body.message), /sign in/i);
    }
  });

  it("creates a draft for the signed-in wallet, approves it on chain, and activates it", async () => {
    const created = await aliceBrowser.post<Draft>("/api/me/subscriptions", { planId: stack.plans.usdt.id });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const draft = created.body;
    assert.equal(draft.status, "Draft");
    assert.equal(draft.payer, alice.address);
    assert.equal(draft.customerId, alice.address);
    assert.equal(draft.approval.spender, draft.contractAddress);
    assert.equal(draft.approval.approveZeroFirst, true);
    assert.equal(draft.approval.suggestedAllowance, (5_000_000n * 6n).toString());

    await stack.platform.approve(alice, draft);
    const activation = await aliceBrowser.post<SubscriptionResource>(
      `/api/me/subscriptions/${draft.contractAddress}/activate`,
    );
    assert.equal(activation.status, 200, JSON.stringify(activation.body));
    const active = await stack.platform.waitFor("activation through the proxy", async () => {
      const { body } = await subscription(aliceBrowser, draft.contractAddress);
      return body.status === "Active" ? body : undefined;
    });
    assert.equal(active.periodsCharged, 1);
    aliceSubscription = draft.contractAddress;

    const listed = await aliceBrowser.get<{ subscriptions: SubscriptionResource[] }>("/api/me/subscriptions");
    assert.deepEqual(
      listed.body.subscriptions.map((item) => item.contractAddress),
      [aliceSubscription],
    );
  });

  it("checks out with no sign-in: a draft for the wallet named, activated once that wallet approved it", async () => {
    const dave = await stack.platform.newPayer();
    const visitor = browser();
    const created = await visitor.post<Draft>("/api/checkout/subscriptions", {
      planId: stack.plans.usdt.id,
      payer: dave.address.toLowerCase(),
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const draft = created.body;
    assert.deepEqual([draft.status, draft.payer, draft.customerId], ["Draft", dave.address, dave.address]);
    assert.equal(draft.approval.spender, draft.contractAddress);
    assert.equal(visitor.cookie, undefined, "no session was needed, and none was started");
    const read = await visitor.get<SubscriptionResource>(`/api/checkout/subscriptions/${draft.contractAddress}`);
    assert.deepEqual([read.status, read.body.status, read.body.payer], [200, "Draft", dave.address]);

    await stack.platform.approve(dave, draft);
    const activation = await visitor.post<SubscriptionResource>(
      `/api/checkout/subscriptions/${draft.contractAddress}/activate`,
    );
    assert.equal(activation.status, 200, JSON.stringify(activation.body));
    const active = await stack.platform.waitFor("activation through the checkout", async () => {
      const { body } = await visitor.get<SubscriptionResource>(`/api/checkout/subscriptions/${draft.contractAddress}`);
      return body.status === "Active" ? body : undefined;
    });
    assert.equal(active.periodsCharged, 1);

    // the merchant's own customers' subscriptions are out of reach: answered like one that does not exist
    const merchants = await stack.platform.server.merchant.client.createSubscription({
      planId: stack.plans.usdt.id,
      customerId: "shop-customer-7",
      payer: dave.address,
      metadata: "order 7, internal",
    });
    const nowhere = "0x000000000000000000000000000000000000dEaD";
    for (const target of [merchants.contractAddress, nowhere]) {
      for (const answer of [
        await visitor.get<{ message: string }>(`/api/checkout/subscriptions/${target}`),
        await visitor.post<{ message: string }>(`/api/checkout/subscriptions/${target}/activate`),
      ]) {
        assert.equal(answer.status, 404, JSON.stringify(answer.body));
        assert.equal(answer.body.message, `No checkout subscription ${target}: start again from the plan`);
      }
    }
    assert.ok(!visitor.transcript.some((text) => text.includes("order 7")), "the merchant's metadata never shows");

    // what it may not be asked is refused naming the field, writing nothing
    const countsBefore = await stack.platform.server.rowCounts();
    const customer = await visitor.post<{ message: string }>("/api/checkout/subscriptions", {
      planId: stack.plans.usdt.id,
      payer: dave.address,
      customerId: "someone-else",
    });
    assert.equal(customer.status, 400);
    assert.match(customer.body.message, /unknown field customerId: send only planId and payer/);
    const typo = await visitor.post<{ message: string }>("/api/checkout/subscriptions", {
      planId: stack.plans.usdt.id,
      payer: withWrongChecksum(dave.address),
    });
    assert.equal(typo.status, 400);
    assert.match(typo.body.message, /body\.payer.*not a valid EIP-55 checksummed address/);
    const foreignPage = await browser("https://evil.example").post<{ message: string }>("/api/checkout/subscriptions", {
      planId: stack.plans.usdt.id,
      payer: dave.address,
    });
    assert.equal(foreignPage.status, 403, "another site's page may not create drafts (CSRF)");
    assert.deepEqual(await stack.platform.server.rowCounts(), countsBefore);
  });

  it("never lets one payer see or touch another payer's subscription", async () => {
    const countsBefore = await stack.platform.server.rowCounts();
    for (const answer of [
      await bobBrowser.get(`/api/me/subscriptions/${aliceSubscription}`),
      await bobBrowser.post(`/api/me/subscriptions/${aliceSubscription}/activate`),
      await bobBrowser.post(`/api/me/subscriptions/${aliceSubscription}/cancel`),
    ]) {
      assert.equal(answer.status, 404, JSON.stringify(answer.body));
      assert.match(String(answer.body.message), /of yours/);
    }
    const listed = await bobBrowser.get<{ subscriptions: SubscriptionResource[] }>("/api/me/subscriptions");
    assert.deepEqual(listed.body.subscriptions, []);
    // a filter naming someone else is no way around it either
    const filtered = await bobBrowser.get<{ message: string }>(`/api/me/subscriptions?payer=${alice.address}`);
    assert.equal(filtered.status, 400);
    assert.match(filtered.body.message, /payer/);
    assert.deepEqual(await stack.platform.server.rowCounts(), countsBefore);
    assert.equal((await subscription(aliceBrowser, aliceSubscription)).body.status, "Active");
  });

  it("refuses a draft for anyone but the signed-in wallet, and other bad input, with a clear 4xx", async () => {
    const countsBefore = await stack.platform.server.rowCounts();
    const forSomeoneElse = await bobBrowser.post<{ message: string }>("/api/me/subscriptions", {
      planId: stack.plans.usd.id,
      payer: alice.address,
    });
    assert.equal(forSomeoneElse.status, 400);
    assert.match(forSomeoneElse.body.message, /unknown field payer: a subscription is always for the signed-in wallet/);

    const customer = await bobBrowser.post<{ message: string }>("/api/me/subscriptions", {
      planId: stack.plans.usd.id,
      customerId: "someone-else",
    });
    assert.equal(customer.status, 400);
    assert.match(customer.body.message, /customerId/);

    const noPlan = await bobBrowser.post<{ message: string }>("/api/me/subscriptions", {});
    assert.equal(noPlan.status, 400);
    assert.match(noPlan.body.message, /planId/);

    const unknownPlan = await bobBrowser.post<{ status: number }>("/api/me/subscriptions", { planId: "plan_nope" });
    assert.equal(unknownPlan.status, 404);

    const draftPlan = await bobBrowser.post<{ status: number }>("/api/me/subscriptions", {
      planId: stack.plans.draft.id,
    });
    assert.ok(draftPlan.status >= 400 && draftPlan.status < 500, `status ${draftPlan.status}`);

    const badAddress = await bobBrowser.get<{ message: string }>("/api/me/subscriptions/0x1234");
    assert.equal(badAddress.status, 400);
    assert.match(badAddress.body.message, /address/);

    const notJson = await bobBrowser.request<{ status: number; message: string }>(
      "POST",
      "/api/me/subscriptions",
      undefined,
      { "content-type": "text/plain" },
    );
    assert.equal(notJson.status, 415);
    assert.match(notJson.body.message, /application\/json/);

    const broken = await fetch(new URL("/api/me/subscriptions", stack.url), {
      method: "POST",
      headers: { origin: stack.url, "content-type": "application/json", cookie: bobBrowser.cookie ?? "" },
      body: "{not json",
    });
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as { message: string }).message, /not valid JSON/);

    const huge = await bobBrowser.post<{ status: number }>("/api/me/subscriptions", {
      planId: stack.plans.usd.id,
      startFrom: "x".repeat(20_000),
    });
    assert.equal(huge.status, 413);

    const unknownRoute = await bobBrowser.get<{ status: number }>("/api/integration/subscription-plans");
    assert.equal(unknownRoute.status, 404);
    assert.deepEqual(await stack.platform.server.rowCounts(), countsBefore);
  });

  it("refuses writes from other sites' pages (CSRF) and answers CORS only for the listed origins", async () => {
    const noOrigin = await fetch(new URL("/api/me/subscriptions", stack.url), {
      method: "POST",
      headers: { "content-type": "application/json", cookie: bobBrowser.cookie ?? "" },
      body: JSON.stringify({ planId: stack.plans.usd.id }),
    });
    assert.equal(noOrigin.status, 403);
    const evil = new BrowserSession(stack.url, "https://evil.example");
    const fromEvil = await evil.post<{ message: string }>("/api/auth/logout");
    assert.equal(fromEvil.status, 403);
    assert.match(fromEvil.body.message, /evil\.example/);

    const preflight = async (origin: string) =>
      fetch(new URL("/api/me/subscriptions", stack.url), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const allowed = await preflight("https://shop.example");
    assert.equal(allowed.headers.get("access-control-allow-origin"), "https://shop.example");
    assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
    const refused = await preflight("https://evil.example");
    assert.equal(refused.headers.get("access-control-allow-origin"), null);

    const shop = new BrowserSession(stack.url, "https://shop.example");
    assert.equal((await shop.post("/api/auth/logout")).status, 204);
  });

  it("answers what is not HTTP at all in the platform's error shape, as the platform does", async () => {
    const host = new URL(stack.url).host;
    const cases = [
      { name: "bad request line", bytes: "NOT HTTP AT ALL\r\n\r\n", status: 400, message: /not valid HTTP/ },
      {
        name: "header overflow",
        bytes: `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`,
        status: 431,
        message: /headers are too large/,
      },
      {
        name: "bad Content-Length",
        bytes: `POST /api/auth/logout HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ten\r\n\r\n`,
        status: 400,
        message: /Content-Length is not valid/,
      },
      {
        name: "two Content-Lengths",
        bytes: `POST /api/auth/logout HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
        status: 400,
        message: /Content-Length/,
      },
    ];
    for (const { name, bytes, status, message } of cases) {
      const proxy = await exchangeRaw(stack.url, bytes);
      assert.equal(proxy.status, status, `${name}: ${proxy.head}`);
      assert.match(proxy.contentType ?? "", /^application\/json/, name);
      const body = JSON.parse(proxy.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ["code", "message", "status"], name);
      assert.equal(body.status, status, name);
      assert.match(String(body.message), message, name);
      // the same bytes sent to the platform's API get the very same answer
      const api = await exchangeRaw(stack.platform.server.url, bytes);
      assert.deepEqual([api.status, JSON.parse(api.body)], [proxy.status, body], name);
    }
  });

  it("sends the headers of a site that handles wallets", async () => {
    const answer = await browser().get("/api/plans");
    assert.match(answer.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.equal(answer.headers.get("x-frame-options"), "DENY");
    assert.equal(answer.headers.get("cache-control"), "no-store");
  });

  it("cancels the payer's own subscription, which the worker then cancels on chain", async () => {
    const cancel = await aliceBrowser.post<SubscriptionResource>(`/api/me/subscriptions/${aliceSubscription}/cancel`);
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, "PendingCancel");
    await stack.platform.waitFor("the cancel on chain", async () => {
      const { body } = await subscription(aliceBrowser, aliceSubscription);
      return body.status === "Cancelled" ? body : undefined;
    });
  });

  it("signs out: the cookie is worth nothing afterwards", async () => {
    const cookie = bobBrowser.cookie;
    assert.equal((await bobBrowser.post("/api/auth/logout")).status, 204);
    const replayed = await fetch(new URL("/api/me/subscriptions", stack.url), { headers: { cookie: cookie ?? "" } });
    assert.equal(replayed.status, 401);
  });

  it("gives the pages the merchant's branding with the configuration, and a change made elsewhere within its cache time", async () => {
    type Config = { branding: { displayName: string; accentColor: string | null; supportUrl: string | null } | null };
    const merchant = stack.platform.server.merchant.client;
    await merchant.setBranding({ displayName: "Demo merchant", accentColor: "#1b6e20", supportUrl: null });
    // a site of its own, whose branding is reused for 300 ms rather than a minute
    const platform = new PlatformAccess(stack.config, { brandingTtlMs: 300 });
    const site = await buildWebApp({ ...stack.config, distDir: null }, { platform });
    try {
      const config = async () => (await site.inject({ method: "GET", url: "/api/config" })).json<Config>().branding;
      assert.deepEqual(await config(), {
        displayName: "Demo merchant",
        logoUrl: null,
        accentColor: "#1b6e20",
        supportUrl: null,
      });
      await merchant.setBranding({ displayName: "Renamed elsewhere" });
      assert.equal((await config())?.displayName, "Demo merchant", "reused while the cache lasts");
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await config())?.displayName, "Renamed elsewhere", "read again once it ran out");
    } finally {
      await site.close();
      await merchant.setBranding({ displayName: null, accentColor: null });
    }
  });

  it("lets an admin wallet change the branding, shown at once, with the platform's words for a refused field", async () => {
    const admin = browser();
    assert.equal((await admin.signIn(adminKey)).status, 200);
    const payer = browser();
    assert.equal((await payer.signIn(alice.key)).status, 200);
    assert.equal((await payer.request("PUT", "/api/admin/branding", { displayName: "Mine" })).status, 403);
    const before = (await browser().get<{ branding: { displayName: string } }>("/api/config")).body.branding;
    const saved = await admin.request<{ displayName: string; supportUrl: string }>("PUT", "/api/admin/branding", {
      displayName: "Demo merchant",
      supportUrl: "mailto:help@shop.example",
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.deepEqual([saved.body.displayName, saved.body.supportUrl], ["Demo merchant", "mailto:help@shop.example"]);
    const after = (await browser().get<{ branding: { displayName: string } }>("/api/config")).body.branding;
    assert.notEqual(before.displayName, "Demo merchant");
    assert.equal(after.displayName, "Demo merchant", "the site dropped its cached branding");
    assert.equal((await admin.get<{ displayName: string }>("/api/admin/branding")).body.displayName, "Demo merchant");

    const refused = await admin.request<{ message: string; details: { path: string; message: string }[] }>(
      "PUT",
      "/api/admin/branding",
      { accentColor: "#ffcc00", logoUrl: "javascript:alert(1)" },
    );
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.details.map((detail) => detail.path).sort(), ["body.accentColor", "body.logoUrl"]);
    assert.match(
      refused.body.details.find((detail) => detail.path === "body.accentColor")?.message ?? "",
      /contrast of 1\.\d\d:1 .*choose a darker shade/,
    );
    const crossSite = await admin.request(
      "PUT",
      "/api/admin/branding",
      { displayName: "X" },
      { origin: "https://evil.example" },
    );
    assert.equal(crossSite.status, 403, "a write from another site is refused (CSRF)");
  });

  it("lets only the merchant's admin wallets manage plans, subscriptions and gas wallets", async () => {
    const visitor = browser();
    assert.equal((await visitor.get("/api/admin/plans")).status, 401);
    const refused = await aliceBrowser.get<{ message: string }>("/api/admin/plans");
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /not one of this merchant's admin wallets/);
    assert.equal(
      (await aliceBrowser.post("/api/admin/plans", { name: "Mine", amount: "1 tUSD", interval: "Day" })).status,
      403,
    );

    const admin = browser();
    const signedIn = await admin.signIn(adminKey);
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.admin, true);
    const all = await admin.get<{ plans: { id: string }[] }>("/api/admin/plans");
    assert.equal(all.status, 200);
    assert.ok(
      all.body.plans.some((plan) => plan.id === stack.plans.draft.id),
      "drafts are listed to the admin",
    );

    const created = await admin.post<{ id: string; status: string }>("/api/admin/plans", {
      name: "Yearly",
      amount: "99 tUSDC",
      interval: "Year",
      maxPeriods: 3,
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.status, "Draft");
    const visible = async () =>
      (await visitor.get<{ plans: { id: string }[] }>("/api/plans")).body.plans.some(
        (plan) => plan.id === created.body.id,
      );
    assert.equal(await visible(), false);
    assert.equal((await admin.post(`/api/admin/plans/${created.body.id}/activate`)).status, 200);
    assert.equal(await visible(), true, "visitors see an activated plan at once");
    assert.equal((await admin.post(`/api/admin/plans/${created.body.id}/archive`)).status, 200);
    assert.equal(await visible(), false);

    const bad = await admin.post<{ message: string }>("/api/admin/plans", {
      name: "Bad",
      amount: "lots",
      interval: "Day",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /amount/);

    const cancelled = await admin.get<{ subscriptions: { contractAddress: string }[] }>(
      "/api/admin/subscriptions?statusIn=Cancelled",
    );
    assert.deepEqual(
      cancelled.body.subscriptions.map((subscription) => subscription.contractAddress),
      [aliceSubscription],
    );
    const wallets = await admin.get<{ gasWallets: { payoutAddress: string }[] }>("/api/admin/gas-wallets");
    assert.equal(wallets.body.gasWallets[0]?.payoutAddress, stack.platform.server.merchant.payout);
  });

  it("shows a payer every subscription their wallet pays, a hosted checkout's too, and lets them manage it", async () => {
    // the merchant's backend opens a hosted checkout for its own customer id; the payer subscribes there, signed out
    const carol = await stack.platform.newPayer();
    const merchant = stack.platform.server.merchant.client;
    const session = await merchant.createCheckoutSession({
      planId: stack.plans.usdc.id,
      customerId: "shop-customer-42",
      successUrl: "https://shop.example/thanks",
      cancelUrl: "https://shop.example/plans",
    });
    const hosted = new RecurClient(stack.platform.server.url);
    const draft = await hosted.request<Draft>("POST", `/checkout-sessions/${session.id}/subscription`, {
      payer: carol.address,
    });
    assert.equal(draft.customerId, "shop-customer-42");
    await stack.platform.approve(carol, draft);
    await hosted.request("POST", `/checkout-sessions/${session.id}/activate`, {});
    await stack.platform.waitFor("the hosted subscription active", async () => {
      const { status } = await merchant.subscriptionStatus(draft.contractAddress);
      return status === "Active" ? status : undefined;
    });

    // signed in on the merchant's site with that wallet, the payer finds it, reads it and can cancel it
    const carolBrowser = browser();
    assert.equal((await carolBrowser.signIn(carol.key)).status, 200);
    const listed = await carolBrowser.get<{ subscriptions: (SubscriptionResource & { planName: string | null })[] }>(
      "/api/me/subscriptions",
    );
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.subscriptions.map((item) => [item.contractAddress, item.customerId, item.status, item.planName]),
      [[draft.contractAddress, "shop-customer-42", "Active", "Pro"]],
      "each titled by its plan's name",
    );
    assert.equal((await subscription(carolBrowser, draft.contractAddress)).body.payer, carol.address);
    // nobody else does, whoever's customer id it carries
    const other = browser();
    assert.equal((await other.signIn(bob.key)).status, 200);
    assert.equal((await subscription(other, draft.contractAddress)).status, 404);
    const bobs = await other.get<{ subscriptions: SubscriptionResource[] }>("/api/me/subscriptions");
    assert.ok(!bobs.body.subscriptions.some((item) => item.contractAddress === draft.contractAddress));
    const cancel = await carolBrowser.post<SubscriptionResource>(
      `/api/me/subscriptions/${draft.contractAddress}/cancel`,
    );
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal(cancel.body.status, "PendingCancel");
    // the worker's cancel writes its event: wait for it here, so that it cannot land in a later test's counts
    await stack.platform.waitFor("the hosted subscription's cancel on chain", async () => {
      const { body } = await subscription(carolBrowser, draft.contractAddress);
      return body.status === "Cancelled" ? body : undefined;
    });
  });

  it("lists the merchant's API keys to its admins and revokes one at once, never this site's own", async () => {
    const site = stack.platform.server.merchant;
    // two rotations: this site's key and the first new one are then rotated away (working for an hour still), and
    // the second is current
    const first = await site.client.rotateApiKey();
    const firstClient = new RecurClient(stack.platform.server.url, first);
    const second = await firstClient.rotateApiKey();

    assert.equal((await browser().get("/api/admin/api-keys")).status, 401);
    assert.equal((await aliceBrowser.get("/api/admin/api-keys")).status, 403);
    assert.equal((await aliceBrowser.post(`/api/admin/api-keys/${first.apiKey}/revoke`)).status, 403);
    assert.equal((await firstClient.listPlans()).plans.length > 0, true, "a payer's refused revocation did nothing");

    const admin = browser();
    assert.equal((await admin.signIn(adminKey)).status, 200);
    type Listed = { apiKey: string | null; label: string; status: string; thisSite: boolean };
    const listed = await admin.get<{ apiKeys: Listed[] }>("/api/admin/api-keys");
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(
      listed.body.apiKeys.map((key) => [key.apiKey, key.status, key.thisSite]),
      [
        [second.apiKey, "Active", false],
        [first.apiKey, "Expiring", false],
        [null, "Expiring", true],
      ],
      "this site's key comes without its id",
    );
    assert.equal(listed.body.apiKeys[2]?.label, `${site.apiKey.slice(0, 7)}…`);
    assert.ok(!JSON.stringify(listed.body).includes(first.apiSecret), "no secret is listed");

    const revoked = await admin.post<Listed>(`/api/admin/api-keys/${first.apiKey}/revoke`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual([revoked.body.apiKey, revoked.body.status], [first.apiKey, "Revoked"]);
    await assert.rejects(firstClient.listPlans(), { status: 401 }, "the revoked key stops working at once");

    const last = await admin.post<{ code: string; message: string }>(`/api/admin/api-keys/${second.apiKey}/revoke`);
    assert.equal(last.status, 409, "the merchant's last current key stays");
    assert.match(last.body.message, /rotate first/);
    assert.equal((await admin.post("/api/admin/api-keys/rk_doesNotExist/revoke")).status, 404);
    assert.equal((await admin.get("/api/admin/plans")).status, 200, "this site's own key still works");
  });

  it("refuses an address whose mixed case is not its EIP-55 checksum, and the zero address, naming the field", async () => {
    const admin = browser();
    assert.equal((await admin.signIn(adminKey)).status, 200);
    const typo = withWrongChecksum(aliceSubscription);
    const zero = "0x0000000000000000000000000000000000000000";
    const countsBefore = await stack.platform.server.rowCounts();
    const refusals = [
      { answer: await aliceBrowser.get(`/api/me/subscriptions/${typo}`), field: "params.address", problem: "checksum" },
      {
        answer: await aliceBrowser.post(`/api/me/subscriptions/${typo}/cancel`),
        field: "params.address",
        problem: "checksum",
      },
      { answer: await admin.get(`/api/admin/subscriptions/${typo}`), field: "params.address", problem: "checksum" },
      {
        answer: await admin.post(`/api/admin/subscriptions/${typo}/pause`),
        field: "params.address",
        problem: "checksum",
      },
      {
        answer: await admin.get(`/api/admin/subscriptions?payer=${withWrongChecksum(alice.address)}`),
        field: "query.payer",
        problem: "checksum",
      },
      { answer: await admin.get(`/api/admin/subscriptions?payer=${zero}`), field: "query.payer", problem: "zero" },
      {
        answer: await admin.get(`/api/admin/charges?contractAddress=${typo}`),
        field: "query.contractAddress",
        problem: "checksum",
      },
    ];
    for (const { answer, field, problem } of refusals) {
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.code, "BadRequest");
      const message = String(answer.body.message);
      assert.ok(message.includes(field), `${message} names ${field}`);
      assert.match(message, problem === "zero" ? /zero address/ : /not a valid EIP-55 checksummed address/);
    }
    assert.deepEqual(await stack.platform.server.rowCounts(), countsBefore);

    // all lowercase carries no checksum to get wrong: it is the same address
    const lowercase = await aliceBrowser.get<{ contractAddress: string }>(
      `/api/me/subscriptions/${aliceSubscription.toLowerCase()}`,
    );
    assert.equal(lowercase.status, 200, JSON.stringify(lowercase.body));
    assert.equal(lowercase.body.contractAddress, aliceSubscription);
    const byPayer = await admin.get<{ subscriptions: { contractAddress: string }[] }>(
      `/api/admin/subscriptions?payer=${alice.address.toLowerCase()}`,
    );
    assert.equal(byPayer.status, 200, JSON.stringify(byPayer.body));
    assert.ok(byPayer.body.subscriptions.some((subscription) => subscription.contractAddress === aliceSubscription));
  });

  it("keeps a payer's idempotency keys apart from the merchant's own and from other payers'", async () => {
    const merchant = stack.platform.server.merchant.client;
    const planId = stack.plans.usd.id;
    const [carol, dave] = [await stack.platform.newPayer(), await stack.platform.newPayer()];
    const [carolBrowser, daveBrowser, adminBrowser] = [browser(), browser(), browser()];
    assert.equal((await carolBrowser.signIn(carol.key)).status, 200);
    assert.equal((await daveBrowser.signIn(dave.key)).status, 200);
    assert.equal((await adminBrowser.signIn(adminKey)).status, 200);
    const newKey = (name: string) => `${name}-${randomUUID()}`;
    const draft = async (session: BrowserSession, key?: string) => {
      const answer = await session.post<Draft>(
        "/api/me/subscriptions",
        { planId },
        key ? { "x-idempotency-key": key } : {},
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body;
    };
    const cancel = async (session: BrowserSession, address: string, key: string) =>
      session.post<SubscriptionResource>(`/api/me/subscriptions/${address}/cancel`, {}, { "x-idempotency-key": key });
    const merchantDraft = (key?: string) =>
      merchant.createSubscription(
        { planId, customerId: `shop-customer-${randomUUID()}`, payer: alice.address },
        key ? { idempotencyKey: key } : {},
      );

    // the merchant's backend used a key first: a payer sending it gets a result of its own, not the merchant's
    const [createdByMerchant, cancelledByMerchant] = [newKey("merchant-create"), newKey("merchant-cancel")];
    const merchantsDraft = await merchantDraft(createdByMerchant);
    await merchant.cancelSubscription(merchantsDraft.contractAddress, { idempotencyKey: cancelledByMerchant });
    const carolsDraft = await draft(carolBrowser, createdByMerchant);
    assert.equal(carolsDraft.payer, carol.address, "the payer got the merchant's stored draft");
    assert.notEqual(carolsDraft.contractAddress, merchantsDraft.contractAddress);
    const carolsCancel = await cancel(carolBrowser, carolsDraft.contractAddress, cancelledByMerchant);
    assert.equal(carolsCancel.status, 200, JSON.stringify(carolsCancel.body));
    assert.equal(carolsCancel.body.contractAddress, carolsDraft.contractAddress);
    assert.equal(carolsCancel.body.status, "Cancelled");

    // a payer used a key first: the merchant's own later request with it is not refused as a reuse
    const usedByPayer = newKey("payer-first");
    const secondDraft = await draft(carolBrowser);
    assert.equal((await cancel(carolBrowser, secondDraft.contractAddress, usedByPayer)).status, 200);
    const laterDraft = await merchantDraft();
    const laterCancel = await merchant.cancelSubscription(laterDraft.contractAddress, { idempotencyKey: usedByPayer });
    assert.equal(laterCancel.contractAddress, laterDraft.contractAddress);
    assert.equal(laterCancel.status, "Cancelled");
    // and neither is its admin's, through this site, with the merchant's key either
    const adminPlan = await adminBrowser.post<{ id: string; name: string }>(
      "/api/admin/plans",
      { name: "Admin's plan", amount: "3 tUSD", interval: "Week" },
      { "x-idempotency-key": createdByMerchant },
    );
    assert.equal(adminPlan.status, 200, JSON.stringify(adminPlan.body));
    assert.equal(adminPlan.body.name, "Admin's plan");

    // two payers with one key: each gets their own answer, on the routes done as a customer and as the merchant
    const shared = newKey("shared");
    const [carols, daves] = [await draft(carolBrowser, shared), await draft(daveBrowser, shared)];
    assert.deepEqual([carols.payer, daves.payer], [carol.address, dave.address]);
    const carolCancels = await cancel(carolBrowser, carols.contractAddress, shared);
    const daveCancels = await cancel(daveBrowser, daves.contractAddress, shared);
    assert.deepEqual(
      [carolCancels.status, daveCancels.status],
      [200, 200],
      JSON.stringify([carolCancels.body, daveCancels.body]),
    );
    assert.equal(daveCancels.body.contractAddress, daves.contractAddress);

    // while a payer's own retry is still answered as the first time, with nothing written twice
    const countsBefore = await stack.platform.server.rowCounts();
    assert.equal((await draft(carolBrowser, shared)).contractAddress, carols.contractAddress);
    const retried = await cancel(carolBrowser, carols.contractAddress, shared);
    assert.deepEqual([retried.status, retried.body], [carolCancels.status, carolCancels.body]);
    assert.deepEqual(await stack.platform.server.rowCounts(), countsBefore);

    const spaced = await carolBrowser.post<{ message: string }>(
      "/api/me/subscriptions",
      { planId },
      {
        "x-idempotency-key": "has spaces",
      },
    );
    assert.equal(spaced.status, 400);
    assert.match(spaced.body.message, /x-idempotency-key: must be 1-255 printable ASCII characters/);
  });

  it("limits the rate of requests per client, and of sign-in attempts more strictly", async () => {
    const { url } = await stack.startWeb({ rateLimit: { perMinute: 4, authPerMinute: 3 } });
    const limited = new BrowserSession(url);
    browsers.push(limited);
    const nonces: number[] = [];
    for (let i = 0; i < 4; i++) nonces.push((await limited.get("/api/auth/nonce")).status);
    assert.deepEqual(nonces, [200, 200, 200, 429]);
    // a checkout draft is a row on the platform: limited as strictly, apart from sign-in
    const drafts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const payer = privateKeyToAccount(generatePrivateKey()).address;
      drafts.push((await limited.post("/api/checkout/subscriptions", { planId: stack.plans.usd.id, payer })).status);
    }
    assert.deepEqual(drafts, [200, 200, 200, 429]);
    const plans: number[] = [];
    for (let i = 0; i < 5; i++) plans.push((await limited.get("/api/plans")).status);
    assert.deepEqual(plans, [200, 200, 200, 200, 429]);
    const refused = await limited.get<{ code: string; message: string }>("/api/plans");
    assert.equal(refused.body.code, "TooManyRequests");
    assert.match(refused.body.message, /retry in/i);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
  });

  it("runs as a process configured by its environment, logs no credential, and stops on SIGTERM", async () => {
    const port = await freePort();
    const { merchant } = stack.platform.server;
    const child = startProcess(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "../server/main.ts")],
      {
        env: {
          PATH: process.env.PATH,
          RECUR_API_URL: stack.platform.server.url,
          RECUR_API_KEY: merchant.apiKey,
          RECUR_API_SECRET: merchant.apiSecret,
          WEB_SESSION_SECRET: "s".repeat(32) + Math.random().toString(36).slice(2),
          WEB_RPC_URLS: `31337=${stack.platform.node.url}`,
          WEB_PORT: String(port),
          WEB_PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
          WEB_DIST: "none",
          WEB_LOG_LEVEL: "info",
        },
      },
    );
    let exit: ProcessExit;
    try {
      const site = new BrowserSession(`http://127.0.0.1:${port}`);
      browsers.push(site);
      // a cold start compiles the server with tsx: 10-20 s on a busy 2-core machine
      await stack.platform.waitFor(
        "the web server process to listen",
        async () => ((await site.get("/api/health").catch(() => undefined))?.status === 200 ? true : undefined),
        120_000,
      );
      const plans = await site.get<{ plans: unknown[] }>("/api/plans");
      assert.equal(plans.status, 200);
      // every Active plan of the stack's: all but its draft
      assert.equal(plans.body.plans.length, Object.keys(stack.plans).length - 1);
      assert.equal((await site.signIn(alice.key)).status, 200);
      assert.equal((await site.get("/api/me/subscriptions")).status, 200);
    } finally {
      // time enough to stop cleanly on a loaded machine before SIGKILL would make it fail
      exit = await child.stop({ graceMs: 60_000 });
    }
    const output = child.output();
    assert.equal(exit.code, 0, output);
    assert.match(output, /signed in/);
    assert.ok(!output.includes(merchant.apiSecret), "the API secret was logged");
    assert.ok(!output.includes(merchant.apiKey), "the API key was logged");
    assert.ok(!/recur_session=[^;\s"]{10}/.test(output), "a session cookie was logged");
  });

  it("never puts the merchant's API secret or key in any answer", () => {
    const { apiKey, apiSecret } = stack.platform.server.merchant;
    const everything = browsers.flatMap((session) => session.transcript).join("\n");
    assert.ok(everything.length > 5_000, "the transcript holds the answers");
    assert.ok(!everything.includes(apiSecret), "the API secret reached a browser");
    assert.ok(!everything.includes(apiKey), "the API key reached a browser");
  });
});
