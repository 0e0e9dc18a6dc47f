/**
 * Property-based tests of the HTTP API's edges. fast-check sends every operation of the API's OpenAPI document
 * malformed, oversized, wrongly typed and adversarial bodies, headers and query strings, mixed with the ids of real
 * plans, subscriptions and checkout sessions, and checks for each request that the API never answers 5xx, that
 * every refusal is the documented error body `{status, code, message, details?}` and nothing else, and that a
 * refused request writes nothing. A documented operation that is not fuzzed fails a test. A last property checks
 * that valid drafts with random inputs are always created.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { FUZZ_GROUPS, type FuzzedRoutes, fuzzedRoutes } from "../../test/support/fuzzedRoutes.js";
import { createFixtures, type Fixtures } from "../../test/support/fuzzFixtures.js";
import {
  fuzzRoutes,
  garbledAuth,
  materialise,
  printable,
  requestArbitrary,
  signedProbe,
  timeBoxed,
} from "../../test/support/fuzzRequests.js";
import { isoDate, jsonOfSize, validText } from "../../test/support/fuzzValues.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { openApiDocumentOf } from "../../test/support/openApiDocumentOf.js";
import { testEngine } from "../../test/support/openTestDatabase.js";
import { assertErrorShape, BODY_LIMIT, describeExchange, Prober } from "../../test/support/Prober.js";
import { deliverRaw, nowSeconds, type Probe, signatureHeaders } from "../../test/support/rawHttp.js";
import { newPayer, startTestServer, type TestServer } from "../../test/support/startTestServer.js";
import { START_NOW_TOLERANCE_SECONDS } from "../domain/termsStartAt.js";

/**
 * Starts a test server with real data for one describe block; its routes are those of the server's own OpenAPI
 * document.
 */
function useServer(): { fixtures: () => Fixtures; prober: () => Prober; routes: () => FuzzedRoutes } {
  let server: TestServer | undefined;
  let fixtures: Fixtures | undefined;
  let prober: Prober | undefined;
  let routes: FuzzedRoutes | undefined;
  before(async () => {
    server = await startTestServer();
    fixtures = await createFixtures(server);
    prober = new Prober(server);
    routes = fuzzedRoutes(await openApiDocumentOf(server.url), fixtures);
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test server is not started");
    return value;
  };
  return { fixtures: () => ready(fixtures), prober: () => ready(prober), routes: () => ready(routes) };
}

// ------------------------------------------------------------------------------------------------ the properties

describe(`fuzzing the plan and API key routes (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober, routes } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routes().groups.plans, 50);
  });

  it("lists, rotates and revokes API keys or refuses without writing, whatever the request, and the old key keeps working", async () => {
    await fuzzRoutes(prober(), fixtures(), routes().groups.apiKeys, 30);
    const answer = await prober().check(signedProbe(fixtures(), "GET", "/integration/subscription-plans?limit=42"));
    assert.equal(answer.status, 200, answer.text);
  });

  it("refuses a plan period of 2^31 s or more, up to the documented 2^32 - 1, without a 5xx", async () => {
    for (const periodSeconds of [2 ** 31, 2 ** 32 - 1]) {
      const body = { name: "Long period", amount: "10 tUSDC", periodSeconds };
      await prober().check(signedProbe(fixtures(), "POST", "/integration/subscription-plans", body));
    }
  });
});

describe(`fuzzing the subscription routes (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober, routes } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routes().groups.subscriptions, 40);
  });

  it("creates every valid draft with 200 and a 0x-prefixed 40-hex contract address", async () => {
    const draft = fc.record(
      {
        customerId: validText(255),
        metadata: fc.oneof(fc.string({ unit: "grapheme", maxLength: 200 }), fc.constant("m".repeat(4_096))),
        maxPeriods: fc.integer({ min: 1, max: 65_535 }),
        startFrom: isoDate,
      },
      { requiredKeys: ["customerId"] },
    );
    await fc.assert(
      fc.asyncProperty(
        draft,
        timeBoxed(async (input) => {
          const body = { planId: fixtures().plans.active, payer: newPayer(), ...input };
          const probe = signedProbe(fixtures(), "POST", "/integration/subscriptions", body);
          const answer = await prober().check(probe);
          assert.equal(answer.status, 200, describeExchange(probe, answer));
          const created = JSON.parse(answer.text) as Record<string, unknown>;
          assert.match(String(created.contractAddress), /^0x[0-9a-fA-F]{40}$/);
          assert.equal(created.status, "Draft");
          assert.equal(created.customerId, input.customerId);
          assert.equal(created.metadata, input.metadata ?? null);
          if (input.maxPeriods !== undefined) assert.equal(created.maxPeriods, input.maxPeriods);
          // more than a minute ahead is a trial until then, to the second; anything else starts at activation
          const asked = input.startFrom === undefined ? 0 : Math.floor(Date.parse(input.startFrom) / 1000);
          const trial = asked > nowSeconds() + START_NOW_TOLERANCE_SECONDS;
          assert.equal(created.startFrom, trial ? new Date(asked * 1000).toISOString() : null, "startFrom");
          const terms = (created.approval as { terms: { startAt: string } }).terms;
          assert.equal(terms.startAt, trial ? String(asked) : "0", "the terms' startAt");
        }),
      ),
      { numRuns: 50 },
    );
  });
});

describe(`fuzzing the checkout-session routes (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober, routes } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routes().groups.sessions, 50);
  });

  it("refuses a NUL character in a checkout session's return URLs without a 5xx", async () => {
    for (const field of ["successUrl", "cancelUrl"]) {
      const body = {
        planId: fixtures().plans.active,
        customerId: "c1",
        successUrl: "https://shop.example/ok",
        cancelUrl: "https://shop.example/no",
        [field]: "https://shop.example/\u0000",
      };
      await prober().check(signedProbe(fixtures(), "POST", "/integration/checkout-sessions", body));
    }
  });
});

describe(`fuzzing the webhook, charge, gas wallet and chain routes (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober, routes } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routes().groups.operations, 40);
  });
});

describe(`fuzzing headers, sizes and paths on every route (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober, routes } = useServer();
  const allRoutes = () => Object.values(routes().groups).flat();

  it("fuzzes every operation the OpenAPI document describes, each with real ids and bodies where it takes them", () => {
    const { operations, problems } = routes();
    assert.ok(operations.length >= 30, `the document lists only ${operations.length} operations`);
    assert.deepEqual(problems, [], `operations the fuzzing misses:\n${problems.join("\n")}`);
    const unfuzzed = operations.filter((entry) => !entry.fuzzed).map((entry) => entry.operation);
    assert.deepEqual(unfuzzed, [], "documented operations no fuzz group sends requests to");
    assert.equal(allRoutes().length, operations.length, "every operation is fuzzed exactly once");
    assert.deepEqual(Object.keys(routes().groups).sort(), Object.keys(FUZZ_GROUPS).sort());
  });

  it("answers garbled, duplicated and long credential and idempotency headers without 5xx or writes", async () => {
    const request = fc.oneof(...allRoutes().map(requestArbitrary));
    const garbled = fc.tuple(request, garbledAuth).map(([plan, auth]) => printable({ ...plan, auth }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(request, garbled),
        timeBoxed(async (plan) => {
          await prober().check(materialise(plan, fixtures()));
        }),
      ),
      { numRuns: 80 },
    );
  });

  it("refuses a JSON body of more than 64 KiB with 413 on every POST route, and reads one of 64 KiB", async () => {
    const posts = allRoutes().filter((route) => route.method === "POST");
    const size = fc.oneof(
      fc.integer({ min: BODY_LIMIT - 64, max: BODY_LIMIT + 64 }),
      fc.integer({ min: BODY_LIMIT + 1, max: 4 * BODY_LIMIT }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...posts),
        size,
        fc.boolean(),
        timeBoxed(async (route, bytes, chunked) => {
          const path = route.path.replace("{}", route.ids?.[0] ?? "");
          const body = jsonOfSize(bytes);
          const headers = {
            "content-type": "application/json",
            ...signatureHeaders(fixtures().merchant, { method: "POST", path, body }),
          };
          const probe: Probe = { method: "POST", path, body, headers, chunked };
          const answer = await prober().check(probe);
          if (bytes > BODY_LIMIT) assert.equal(answer.status, 413, describeExchange(probe, answer));
          else assert.notEqual(answer.status, 413, describeExchange(probe, answer));
        }),
      ),
      { numRuns: 30 },
    );
  });

  it("answers a path with a malformed percent-encoding with the error shape", async () => {
    for (const path of [
      "/integration/subscription-plans/%E0%A4%A",
      "/checkout-sessions/%",
      "/checkout-sessions/%ED%A0%80",
    ]) {
      await prober().check(signedProbe(fixtures(), "GET", path));
    }
  });

  it("answers a path parameter of more than 100 characters with the error shape", async () => {
    for (const path of [
      `/integration/subscription-plans/${"a".repeat(101)}`,
      `/checkout-sessions/${"a".repeat(101)}`,
    ]) {
      await prober().check(signedProbe(fixtures(), "GET", path));
    }
  });

  it("answers requests Node cannot parse, such as headers over 16 KiB, with the error shape", async () => {
    const requests = [
      `GET /integration/subscription-plans HTTP/1.1\r\nHost: x\r\nx-api-key: ${"k".repeat(20_000)}\r\n\r\n`,
      `GET /checkout-sessions/${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      "POST /integration/subscriptions/hint-update-state HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "GET /integration/subscription-plans HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    ];
    for (const request of requests) {
      const answer = await deliverRaw(prober().server.url, request);
      const exchange = `${JSON.stringify(request.slice(0, 200))}\n=> ${answer.status} ${answer.text}`;
      assert.ok(answer.status >= 400 && answer.status < 500, `not a 4xx answer:\n${exchange}`);
      assertErrorShape(answer, exchange);
    }
  });

  it("leaves Object.prototype unpolluted after all the __proto__ and constructor keys", () => {
    assert.equal(Object.hasOwn(Object.prototype, "polluted"), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
