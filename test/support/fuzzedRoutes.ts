import fc from "fast-check";
import type { Fixtures } from "./fuzzFixtures.js";
import { type Access, bodyOf, type RouteSpec } from "./fuzzRequests.js";
import { csv, hex, isoDate, pageNumber, validText } from "./fuzzValues.js";
import { newPayer } from "./startTestServer.js";

/** What the OpenAPI document says of an operation, as far as the fuzzing needs it. */
interface DocumentedOperation {
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema?: { type?: string; enum?: unknown[] } }[];
  requestBody?: unknown;
}

/** The part of the OpenAPI document the fuzzing reads: its operations. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, DocumentedOperation>>;
}

/** What the fuzzing sends an operation besides garbage: real ids for its path parameter, bodies, query values. */
interface DeclaredInput {
  ids?: readonly string[];
  body?: RouteSpec["body"];
  query?: Record<string, fc.Arbitrary<string>>;
}

/** The fuzz groups, each fuzzed by a test of its own, by the tags of the operations they hold. */
export const FUZZ_GROUPS = {
  plans: ["Plans"],
  apiKeys: ["API keys"],
  subscriptions: ["Subscriptions"],
  sessions: ["Checkout sessions", "Hosted checkout"],
  operations: ["Webhooks", "Charges", "Gas wallets", "Chains", "Branding"],
} as const;
export type FuzzGroup = keyof typeof FUZZ_GROUPS;

export interface FuzzedRoutes {
  groups: Record<FuzzGroup, RouteSpec[]>;
  /** Every documented operation, `GET /chains`, and whether a group fuzzes it. */
  operations: { operation: string; fuzzed: boolean }[];
  /** Why a documented operation is not fuzzed, or a declared input fuzzes nothing: one line each, naming it. */
  problems: string[];
}

/**
 * The routes to fuzz, one for each operation of the API's OpenAPI document: who it lets in (from its security),
 * its path and query parameters (from its parameters) and what it takes, with the inputs declared below for the
 * path parameters and bodies a document cannot fill with real data. An operation that needs an input nobody
 * declared is not fuzzed, and said so in `problems`.
 */
export function fuzzedRoutes(document: OpenApiDocument, fixtures: Fixtures): FuzzedRoutes {
  const declared = declaredInputs(fixtures);
  const groups: Record<FuzzGroup, RouteSpec[]> = {
    plans: [],
    apiKeys: [],
    subscriptions: [],
    sessions: [],
    operations: [],
  };
  const operations: FuzzedRoutes["operations"] = [];
  const problems: string[] = [];
  const documented = new Set<string>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${path}`;
      documented.add(name);
      const route = routeOf(name, method.toUpperCase(), path, operation, declared[name] ?? {});
      const group = (Object.keys(FUZZ_GROUPS) as FuzzGroup[]).find((candidate) =>
        (FUZZ_GROUPS[candidate] as readonly string[]).some((tag) => operation.tags?.includes(tag)),
      );
      if (!group) {
        route.problems.push(
          `${name}: is in no fuzz group (its tags: ${operation.tags?.join(", ") ?? "none"}): add a tag to FUZZ_GROUPS`,
        );
      }
      problems.push(...route.problems);
      const fuzzed = group !== undefined && route.problems.length === 0;
      if (fuzzed) groups[group].push(route.spec);
      operations.push({ operation: name, fuzzed });
    }
  }
  for (const name of Object.keys(declared)) {
    if (!documented.has(name)) problems.push(`${name}: has declared inputs, but the document has no such operation`);
  }
  return { groups, operations, problems };
}

function routeOf(
  name: string,
  method: string,
  path: string,
  operation: DocumentedOperation,
  declared: DeclaredInput,
): { spec: RouteSpec; problems: string[] } {
  const problems: string[] = [];
  const pathParameters = path.match(/\{[^}]+\}/g) ?? [];
  if (pathParameters.length > 1)
    problems.push(`${name}: has ${pathParameters.length} path parameters; fuzzing fills one`);
  if (pathParameters.length > 0 && !declared.ids?.length) {
    problems.push(`${name}: takes a path parameter, and no ids to fill it are declared (declaredInputs)`);
  }
  if (pathParameters.length === 0 && declared.ids) problems.push(`${name}: has declared ids, but no path parameter`);
  if (operation.requestBody !== undefined && !declared.body) {
    problems.push(`${name}: takes a body, and no body generator is declared (declaredInputs)`);
  }
  if (operation.requestBody === undefined && declared.body) {
    problems.push(`${name}: has a declared body, but the document says it takes none`);
  }
  const queryParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === "query");
  for (const declaredName of Object.keys(declared.query ?? {})) {
    if (!queryParameters.some((parameter) => parameter.name === declaredName)) {
      problems.push(`${name}: has a declared query parameter ${declaredName} the document does not list`);
    }
  }
  // what the document says of a query parameter nobody declared values for
  const query: Record<string, fc.Arbitrary<string>> = {};
  for (const parameter of queryParameters) {
    const values = parameter.schema?.enum;
    query[parameter.name] =
      declared.query?.[parameter.name] ??
      (values?.length
        ? fc.constantFrom(...values.map(String))
        : parameter.schema?.type === "integer" || parameter.schema?.type === "number"
          ? pageNumber
          : validText(64));
  }
  const spec: RouteSpec = {
    method: method as RouteSpec["method"],
    path: path.replace(/\{[^}]+\}/, "{}"),
    access: accessOf(operation.security),
    ...(declared.ids ? { ids: declared.ids } : {}),
    ...(declared.body ? { body: declared.body } : {}),
    ...(queryParameters.length > 0 ? { query } : {}),
  };
  return { spec, problems };
}

/** Who an operation lets in, by the security schemes it lists: none is public. */
function accessOf(security: DocumentedOperation["security"]): Access {
  const schemes = (security ?? []).flatMap((requirement) => Object.keys(requirement));
  if (schemes.length === 0) return "public";
  return schemes.includes("customerToken") ? "merchantOrCustomer" : "merchant";
}

/** Payer addresses: random, checksummed or not, and the merchant's own payout address. */
const payerOf = (fixtures: Fixtures) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(null).map(() => newPayer()) },
    { weight: 2, arbitrary: hex(40).map((digits) => `0x${digits}`) },
    { weight: 1, arbitrary: hex(40).map((digits) => `0x${digits.toUpperCase()}`) },
    { weight: 1, arbitrary: fc.constant(fixtures.payout) },
  );

/**
 * The inputs the document cannot give, by operation (`METHOD /path/{parameter}` as the document names it): real
 * ids for path parameters, valid-looking bodies (which the fuzzing mutates) and query values.
 */
function declaredInputs(fixtures: Fixtures): Record<string, DeclaredInput> {
  const { plans, subscriptions, sessions } = fixtures;
  const planIds = [plans.active, plans.draft, plans.archived, plans.foreign];
  const payer = payerOf(fixtures);
  const customerId = fc.oneof({ weight: 2, arbitrary: fc.constantFrom("c1", "c2") }, validText(255));
  const url = fc.oneof(
    fc.constantFrom("https://shop.example/ok", "http://localhost:3000/back?x=1#y"),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
  );
  const bytes32 = hex(64).map((digits) => `0x${digits}`);
  const uint256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String);
  const activateBody = bodyOf(
    {},
    { permit: fc.record({ value: uint256, deadline: uint256, v: fc.constantFrom(27, 28), r: bytes32, s: bytes32 }) },
  );
  const draftFields = {
    startFrom: isoDate,
    metadata: fc.string({ maxLength: 100 }),
    maxPeriods: fc.integer({ min: 1, max: 65_535 }),
  };

  // a plan's period is either periodSeconds or an interval with a frequency
  const planFields = bodyOf(
    {
      name: validText(200),
      amount: fc.constantFrom("10 tUSDC", "0.5 tUSDT", "1 tUSD", "0.000001 tUSDC", "123456.78 tRUSD"),
    },
    {
      description: fc.string({ maxLength: 100 }),
      gracePeriodSeconds: fc.integer({ min: 0, max: 365 * 86_400 }),
      maxPeriods: fc.integer({ min: 1, max: 65_535 }),
      tags: fc.array(validText(50), { maxLength: 20 }),
    },
  );
  const period = fc.oneof(
    fc.record({ periodSeconds: fc.integer({ min: 60, max: 2 ** 32 - 1 }) }),
    fc.record(
      { interval: fc.constantFrom("Day", "Week", "Month", "Year"), frequency: fc.integer({ min: 1, max: 7 }) },
      { requiredKeys: ["interval"] },
    ),
  );
  const planBody = {
    valid: fc.tuple(planFields.valid, period).map(([fields, when]) => ({ ...fields, ...when })),
    keys: [...planFields.keys, "periodSeconds", "interval", "frequency"],
  };
  const addresses = [subscriptions.draft, subscriptions.spare, subscriptions.foreign];
  const sessionIds = [sessions.open, sessions.spare, sessions.foreign];
  const eventIds = [fixtures.events.own, fixtures.events.foreign, "00000000-0000-4000-8000-000000000000"];

  return {
    "GET /integration/subscription-plans": {
      query: { limit: pageNumber, offset: pageNumber, statusIn: csv(["Draft", "Active", "Archived"]) },
    },
    "POST /integration/subscription-plans": { body: planBody },
    "GET /integration/subscription-plans/{id}": { ids: planIds },
    "POST /integration/subscription-plans/{id}/activate": { ids: planIds },
    "POST /integration/subscription-plans/{id}/archive": {
      ids: [plans.spare, plans.draft, plans.archived, plans.foreign],
    },

    "POST /integration/subscriptions": {
      body: bodyOf({ planId: fc.constantFrom(...planIds), customerId, payer }, draftFields),
    },
    "GET /integration/subscriptions": {
      query: {
        customerId,
        payer,
        statusIn: csv(["Draft", "Pending", "Active", "Paused", "Cancelled"]),
        limit: pageNumber,
        offset: pageNumber,
      },
    },
    "GET /integration/subscriptions/{contractAddress}": { ids: addresses },
    "GET /integration/subscriptions/{contractAddress}/status": { ids: addresses },
    "POST /integration/subscriptions/{contractAddress}/activate": { ids: addresses, body: activateBody },
    "POST /integration/subscriptions/{contractAddress}/pause": { ids: addresses },
    "POST /integration/subscriptions/{contractAddress}/unpause": { ids: addresses },
    "POST /integration/subscriptions/{contractAddress}/cancel": { ids: [subscriptions.spare, subscriptions.foreign] },
    "POST /integration/subscriptions/create-customer-token": { body: bodyOf({ customerId }) },
    "POST /integration/subscriptions/hint-update-state": {
      body: bodyOf({ hash: bytes32, blockchain: fc.constantFrom("localhost", "Localhost", "ethereum") }),
    },

    "POST /integration/checkout-sessions": {
      body: bodyOf(
        { planId: fc.constantFrom(...planIds), customerId, successUrl: url, cancelUrl: url },
        { ...draftFields, lang: fc.constantFrom("en", "es", "ru"), expiresInHours: fc.integer({ min: 1, max: 720 }) },
      ),
    },
    "GET /integration/checkout-sessions/{id}": { ids: sessionIds },
    "GET /checkout-sessions/{id}": { ids: sessionIds },
    "POST /checkout-sessions/{id}/subscription": { ids: sessionIds, body: bodyOf({ payer }) },
    "POST /checkout-sessions/{id}/activate": { ids: sessionIds, body: activateBody },

    // keys whose revocation is refused: the signing key itself, another merchant's, one that does not exist
    "POST /integration/api-keys/{apiKey}/revoke": {
      ids: [fixtures.merchant.apiKey, fixtures.otherMerchant.apiKey, "rk_doesNotExist"],
    },

    "POST /integration/webhooks/endpoint": { body: bodyOf({ url: fc.oneof(url, fc.constant(null)) }) },
    "GET /integration/webhooks/events": {
      query: { undelivered: fc.constantFrom("true", "false"), limit: pageNumber, offset: pageNumber },
    },
    "GET /integration/webhooks/deliveries": {
      query: { eventId: fc.constantFrom(...eventIds), limit: pageNumber, offset: pageNumber },
    },
    "POST /integration/webhooks/events/{eventId}/redeliver": { ids: eventIds },
    "PUT /integration/merchant/branding": {
      body: bodyOf(
        {},
        {
          displayName: fc.oneof(validText(100), fc.constant(null)),
          logoUrl: fc.oneof(
            url,
            fc.constantFrom("javascript:alert(1)", "http://127.0.0.1:5173/logo.svg"),
            fc.constant(null),
          ),
          accentColor: fc.oneof(
            fc.constantFrom("#2151d1", "#FFCC00", "#000000", "red", "#12345"),
            hex(6).map((digits) => `#${digits}`),
            fc.constant(null),
          ),
          supportUrl: fc.oneof(url, fc.constantFrom("mailto:help@shop.example", "mailto:nobody"), fc.constant(null)),
        },
      ),
    },
    "GET /integration/charges": {
      query: {
        contractAddress: fc.constantFrom(...addresses),
        statusIn: csv(["Pending", "Succeeded", "Retrying", "Failed", "Cancelled"]),
        limit: pageNumber,
        offset: pageNumber,
      },
    },
  };
}
