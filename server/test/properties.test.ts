/**
 * Property-based tests of the HTTP API's edges. fast-check sends every route malformed, oversized, wrongly typed and
 * adversarial bodies, headers and query strings, mixed with the ids of real plans, subscriptions and checkout
 * sessions, and checks for each request that the API never answers 5xx, that every refusal is the documented error
 * body `{status, code, message, details?}` and nothing else, and that a refused request writes nothing. A last
 * property checks that valid drafts with random inputs are always created.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { hookTimeouts } from "../../scripts/lib/hookTimeouts.js";
import { signRequest } from "../auth/signRequest.js";
import { START_NOW_TOLERANCE_SECONDS } from "../domain/termsStartAt.js";
import { testEngine } from "./support/openTestDatabase.js";
import { newPayer, startTestServer, type TestServer } from "./support/startTestServer.js";

/** The largest body the API reads; anything larger must be refused with 413. */
const BODY_LIMIT = 64 * 1024;
const MONTH = 2_592_000;
/** How long one fuzzing property may start new runs (see {@link timeBoxed}). */
const TIME_LIMIT_MS = 25_000;

/**
 * `predicate`, made to do nothing once {@link TIME_LIMIT_MS} has passed since the property was built: the runs left
 * then pass at once, and the run under way always finishes. (fast-check's `interruptAfterTimeLimit` stops waiting
 * for a run that is under way but cannot stop it: on a loaded machine such a run went on probing in the background,
 * writing rows while the next test counted them.)
 */
function timeBoxed<T extends unknown[]>(predicate: (...args: T) => Promise<void>): (...args: T) => Promise<void> {
  const deadline = Date.now() + TIME_LIMIT_MS;
  return async (...args) => {
    if (Date.now() > deadline) return;
    await predicate(...args);
  };
}

// ------------------------------------------------------------------------------------------------ sending requests

type HeaderValue = string | string[];

/** One HTTP request exactly as it goes on the wire. */
interface Probe {
  method: string;
  /** Path and query string, as sent and as signed. */
  path: string;
  body: string | undefined;
  headers: Record<string, HeaderValue>;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked: boolean;
}

interface Answer {
  status: number;
  text: string;
}

/**
 * Sends `probe` over a fresh connection (a refusal may close it) with `node:http`, which, unlike `fetch`, sends
 * duplicate headers, raw paths and bodies without a content type exactly as given.
 */
function deliver(baseUrl: string, probe: Probe): Promise<Answer> {
  const url = new URL(baseUrl);
  // Node frames a GET body only when told how: without this it sends the bytes unframed, which is not HTTP
  const framing: Record<string, string> =
    probe.body === undefined
      ? {}
      : probe.chunked
        ? { "transfer-encoding": "chunked" }
        : { "content-length": String(Buffer.byteLength(probe.body)) };
  return new Promise((resolve, reject) => {
    let responded = false;
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: probe.method,
        path: probe.path,
        headers: { ...probe.headers, ...framing },
        agent: false,
      },
      (response) => {
        responded = true;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    // the server may answer (413) and close before it has read the whole body: its answer is what counts
    request.on("error", (error) => {
      if (!responded) reject(error);
    });
    if (probe.chunked && probe.body !== undefined) {
      request.write(probe.body);
      request.end();
    } else {
      request.end(probe.body);
    }
  });
}

/** Writes `bytes` to the server as they are, for requests Node's own client would refuse to send. */
function deliverRaw(baseUrl: string, bytes: string): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => socket.end(bytes));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const response = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      const separator = response.indexOf("\r\n\r\n");
      resolve({ status, text: separator < 0 ? "" : response.slice(separator + 4) });
    });
  });
}

interface Credentials {
  apiKey: string;
  apiSecret: string;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The three signature headers of a merchant request, signed now (or at `ts`). */
function signatureHeaders(
  merchant: Credentials,
  request: { method: string; path: string; body: string | undefined },
  ts = String(nowSeconds()),
): Record<string, string> {
  const { method, path, body } = request;
  return {
    "x-api-key": merchant.apiKey,
    "x-api-ts": ts,
    "x-api-sig": signRequest({ secret: merchant.apiSecret, ts, method, path, body: body ?? "" }),
  };
}

/** Percent-encodes the UTF-8 of `text` but for unreserved characters; unlike `encodeURIComponent`, never throws. */
function percentEncode(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}

// ------------------------------------------------------------------------------------------------ checking answers

const ERROR_KEYS = ["status", "code", "message", "details"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a failure message shows of a request and its answer: enough to reproduce it, cut short where huge. */
function describeExchange(probe: Probe, answer: Answer): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
  const headers = JSON.stringify(probe.headers, (_key, value: unknown) =>
    typeof value === "string" ? cut(value) : value,
  );
  const body = probe.body === undefined ? "(no body)" : JSON.stringify(cut(probe.body));
  const request = `${probe.method} ${cut(probe.path)}\nheaders: ${headers}\nbody: ${body}`;
  return `${request}\n=> ${answer.status} ${cut(answer.text)}`;
}

/** Asserts that `answer` is exactly the documented error body: `{status, code, message, details?}`. */
function assertErrorShape(answer: Answer, exchange: string): void {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    assert.fail(`the error body is not JSON:\n${exchange}`);
  }
  assert.ok(isRecord(body), `the error body is not an object:\n${exchange}`);
  const unexpected = Object.keys(body).filter((key) => !ERROR_KEYS.includes(key));
  assert.deepEqual(unexpected, [], `the error body has keys beyond status, code, message, details:\n${exchange}`);
  assert.equal(body.status, answer.status, `the error body's status is not the HTTP status:\n${exchange}`);
  assert.ok(
    typeof body.code === "string" && body.code !== "",
    `the error code is not a non-empty string:\n${exchange}`,
  );
  assert.ok(typeof body.message === "string" && body.message !== "", `the error message is empty:\n${exchange}`);
  if (body.details === undefined) return;
  assert.ok(Array.isArray(body.details), `details is not an array:\n${exchange}`);
  for (const detail of body.details) {
    assert.ok(
      isRecord(detail) &&
        typeof detail.path === "string" &&
        typeof detail.message === "string" &&
        Object.keys(detail).length === 2,
      `a detail is not {path, message}:\n${exchange}`,
    );
  }
}

/**
 * Sends probes to a test server and checks each answer: never 5xx; a refusal has the error shape and leaves every
 * table's row count as it was; a body over the limit is never accepted.
 */
class Prober {
  /** The row counts after the last probe, while nothing else has written since. */
  #counts: Record<string, number> | undefined;

  constructor(readonly server: TestServer) {}

  async check(probe: Probe): Promise<Answer> {
    const before = this.#counts ?? (await this.server.rowCounts());
    this.#counts = undefined;
    const answer = await deliver(this.server.url, probe);
    const after = await this.server.rowCounts();
    this.#counts = after;
    const exchange = describeExchange(probe, answer);
    assert.ok(answer.status < 500, `a 5xx answer:\n${exchange}`);
    if (answer.status >= 400) {
      assertErrorShape(answer, exchange);
      assert.deepEqual(after, before, `a refused request wrote rows:\n${exchange}`);
    }
    // GET bodies are never read; a POST body over the limit must never be
    if (probe.method === "POST" && probe.body !== undefined && Buffer.byteLength(probe.body) > BODY_LIMIT) {
      assert.ok(answer.status >= 400, `a body over ${BODY_LIMIT} bytes was accepted:\n${exchange}`);
    }
    return answer;
  }
}

// ------------------------------------------------------------------------------------------------ real data

/** Real resources for path parameters and bodies to hit, besides garbage. */
interface Fixtures {
  merchant: Credentials;
  otherMerchant: Credentials;
  /** The merchant's payout address: a payer that must be refused. */
  payout: string;
  /** A customer token for `c1`, and one for `c2`, who owns nothing. */
  customerToken: string;
  strangerToken: string;
  plans: { active: string; draft: string; archived: string; spare: string; foreign: string };
  subscriptions: { draft: string; spare: string; foreign: string };
  sessions: { open: string; spare: string; foreign: string };
  /** Webhook events (the drafts' status changes): one of the merchant's, one of the other merchant's. */
  events: { own: string; foreign: string };
}

async function createFixtures(server: TestServer): Promise<Fixtures> {
  const client = server.merchant.client;
  const other = server.otherMerchant.client;
  // every request differs, so that the signing client never waits for the next second
  const plan = (name: string) => ({ name, amount: "10 tUSDC", periodSeconds: MONTH });
  const urls = { successUrl: "https://shop.example/ok", cancelUrl: "https://shop.example/no" };

  const active = (await client.createPlan(plan("Active"))).id;
  await client.activatePlan(active);
  const spare = (await client.createPlan(plan("Spare"))).id;
  await client.activatePlan(spare);
  const draft = (await client.createPlan(plan("Draft"))).id;
  const archived = (await client.createPlan(plan("Archived"))).id;
  await client.archivePlan(archived);
  const foreign = (await other.createPlan(plan("Foreign"))).id;
  await other.activatePlan(foreign);

  const subscription = async (api: typeof client, planId: string) =>
    (await api.createSubscription({ planId, customerId: "c1", payer: newPayer() })).contractAddress;
  const session = async (api: typeof client, planId: string, metadata: string) =>
    (await api.createCheckoutSession({ planId, customerId: "c1", metadata, ...urls })).id;

  return {
    merchant: server.merchant,
    otherMerchant: server.otherMerchant,
    payout: server.merchant.payout,
    customerToken: (await client.createCustomerToken("c1")).token,
    strangerToken: (await client.createCustomerToken("c2")).token,
    plans: { active, draft, archived, spare, foreign },
    subscriptions: {
      draft: await subscription(client, active),
      spare: await subscription(client, active),
      foreign: await subscription(other, foreign),
    },
    sessions: {
      open: await session(client, active, "open"),
      spare: await session(client, active, "spare"),
      foreign: await session(other, foreign, "foreign"),
    },
    events: { own: await firstEventOf(client), foreign: await firstEventOf(other) },
  };
}

async function firstEventOf(client: TestServer["merchant"]["client"]): Promise<string> {
  const [event] = (await client.listWebhookEvents({ limit: 1 })).events;
  if (!event) throw new Error("the fixtures' drafts wrote no webhook event");
  return event.eventId;
}

// ------------------------------------------------------------------------------------------------ adversarial values

/** Single characters that trouble parsers, encoders and databases: controls, NUL, lone surrogates, BOM, RTL. */
const nastyChar: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom("\u007f", "\u0085", "\u00a0", "\u200b", "\u202e", "\u2028", "\ufeff", "\uffff", "'", '"', "\\", "%"),
);

const NASTY_STRINGS = [
  "",
  " ",
  "\t",
  "\r\n",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "\ufeff",
  "\u202eevil",
  "🦄",
  "e\u0301",
  "null",
  "undefined",
  "true",
  "0",
  "-1",
  "NaN",
  "Infinity",
  "[]",
  "{}",
  "' OR '1'='1",
  "'; DROP TABLE plans; --",
  '" OR 1=1 --',
  "1; SELECT pg_sleep(5)",
  "$1",
  "%s%n",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, not a template
  "${jndi:ldap://x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "0x",
  `0x${"0".repeat(40)}`,
  `0x${"g".repeat(40)}`,
  `0x${"f".repeat(39)}`,
  `0x${"F".repeat(41)}`,
  `0X${"a".repeat(40)}`,
  `0x${"0".repeat(64)}`,
  "2026-01-31",
  "2026-13-01T00:00:00Z",
  "2026-02-29T00:00:00Z",
  "2026-01-31T24:00:00Z",
  "2026-01-31T12:00:00",
  "2026-01-31T12:00Z",
  "2026-01-31T12:00:00+24:00",
  "+002026-01-31T12:00:00Z",
  "0000-01-01T00:00:00Z",
  "1969-12-31T23:59:59Z",
  "1970-01-01T00:00:00+00:01",
  "2999-12-31T23:59:59Z",
  "3000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "10 tUSDC",
  "0 tUSDC",
  "-1 tUSDC",
  "1e3 tUSDC",
  "0.0000001 tUSDC",
  "1.1234567 tUSDC",
  "10 tFEE",
  "10 XXX",
  "10tUSDC",
  " 10  tUSDC ",
  "10 tusdc",
  `${"9".repeat(60)} tUSDC`,
  "340282366920938463463374607431.768211456 tUSDC",
  "Active",
  "Draft",
  "Archived",
  "Active,Draft,Archived",
  "Active,,",
  "Day",
  "Month",
  "en",
  "xx",
  "localhost",
  "https://shop.example/ok",
  "javascript:alert(1)",
  "ftp://shop.example",
  "https://",
  "http://[::1]:80/",
  `https://shop.example/${"x".repeat(2_100)}`,
];

/** String lengths at and just past the API's limits. */
const LENGTHS = [1, 32, 50, 51, 64, 65, 100, 101, 200, 201, 255, 256, 2_000, 2_001, 2_048, 2_049, 4_096, 4_097, 20_000];

const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: nastyChar, maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...LENGTHS), fc.constantFrom("x", "é", "🦄", "'", "\u0000"))
      .map(([length, char]) => char.repeat(length)),
  },
);

const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1.5,
    7,
    8,
    27,
    28,
    29,
    59,
    60,
    100,
    101,
    720,
    721,
    65_535,
    65_536,
    31_536_000,
    31_536_001,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    1e308,
    5e-324,
  ),
);

/** Any JSON value a confused or hostile client might send in place of a field. */
const garbageValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, false, [], {}),
  fc.jsonValue({ maxDepth: 3, stringUnit: nastyChar }),
);

/** Keys no request body has: prototype pollution, near misses and strangers. */
const EXTRA_KEYS = ["__proto__", "constructor", "prototype", "toString", "", "id", "merchantId", "status", "NAME"];

/** Bodies that are not JSON, or JSON a parser might take differently. */
const RAW_BODIES = [
  "{",
  "[",
  "{]",
  '{"a":}',
  '{"name":"P"',
  "{'a':1}",
  "{a:1}",
  "nul",
  "NaN",
  "undefined",
  "-",
  "01",
  ".5",
  '"unterminated',
  '"\\ud800"',
  '"\\u0000"',
  '{"a":1}{"b":2}',
  "{} trailing",
  "\ufeff{}",
  '{"a":1,}',
  "[1,2,]",
  '{"periodSeconds":1e999}',
  '{"maxPeriods":-1e-999}',
  '{"maxPeriods":1.0}',
  '{"customerId":"a","customerId":"b"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  "\u0000",
  " ",
  "true",
  "null",
  "[]",
  "{}",
  '"text"',
  "123456789012345678901234567890",
];

/** A JSON body of exactly `bytes` bytes: `{"metadata":"xxx..."}`. */
function jsonOfSize(bytes: number): string {
  const frame = '{"metadata":""}';
  return `{"metadata":"${"x".repeat(Math.max(0, bytes - frame.length))}"}`;
}

type Edit =
  | { kind: "set"; key: string; value: unknown }
  | { kind: "delete"; key: string }
  | { kind: "wrap"; key: string };

function applyEdit(body: Record<string, unknown>, edit: Edit): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...body };
  if (edit.kind === "set") {
    // an own "__proto__" key, as JSON.parse makes it and JSON.stringify writes it
    Object.defineProperty(copy, edit.key, { value: edit.value, enumerable: true, writable: true, configurable: true });
  } else if (edit.kind === "delete") {
    delete copy[edit.key];
  } else {
    copy[edit.key] = [copy[edit.key]];
  }
  return copy;
}

/** Valid bodies, and the same with 1-3 fields replaced by garbage, removed, wrapped in arrays, or added. */
function mutatedBody(valid: fc.Arbitrary<Record<string, unknown>>, keys: readonly string[]): fc.Arbitrary<unknown> {
  const field = fc.constantFrom(...keys);
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({
      kind: fc.constant("set" as const),
      key: fc.oneof({ weight: 3, arbitrary: field }, fc.constantFrom(...EXTRA_KEYS), nastyString),
      value: garbageValue,
    }),
    fc.record({ kind: fc.constant("delete" as const), key: field }),
    fc.record({ kind: fc.constant("wrap" as const), key: field }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    {
      weight: 6,
      arbitrary: fc
        .tuple(valid, fc.array(edit, { minLength: 1, maxLength: 3 }))
        .map(([body, edits]) => edits.reduce(applyEdit, body)),
    },
    { weight: 1, arbitrary: valid.map((body) => [body]) },
  );
}

/** JSON text of `value`, compact, pretty or padded with whitespace. */
const jsonText = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc
    .tuple(value, fc.constantFrom("compact", "pretty", "padded"))
    .map(([json, style]) =>
      style === "compact"
        ? JSON.stringify(json)
        : style === "pretty"
          ? JSON.stringify(json, null, 4)
          : ` \n\t${JSON.stringify(json)}\r\n `,
    );

/** Bodies that are wrong whatever the route: garbage JSON, non-JSON, deep nesting, too large, empty. */
const strayBody: fc.Arbitrary<string | undefined> = fc.oneof(
  jsonText(garbageValue),
  fc.constantFrom(...RAW_BODIES),
  fc.string({ unit: nastyChar, maxLength: 60 }),
  fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean(), fc.boolean())
    .map(([depth, arrays, closed]) =>
      arrays
        ? `${"[".repeat(depth)}${closed ? "]".repeat(depth) : ""}`
        : `${'{"a":'.repeat(depth)}1${closed ? "}".repeat(depth) : ""}`,
    ),
  fc.integer({ min: BODY_LIMIT + 1, max: 2 * BODY_LIMIT }).map(jsonOfSize),
  fc.constantFrom(undefined, ""),
);

const CONTENT_TYPES = [
  "application/json; charset=utf-8",
  "application/json;charset=UTF-8",
  "APPLICATION/JSON",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "application/jsonx",
  "application/json-patch+json",
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "*/*",
  "json",
  "",
  ";",
  "application/json; boundary",
];

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Header values Node will send: tab, printable ASCII and Latin-1. */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9))
    .map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 4, arbitrary: headerText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "0",
      "-1",
      "1e3",
      "99999999999999",
      "Bearer",
      "Bearer ",
      "Bearer  x",
      "bearer ct_x.y",
      "Bearer ct_.",
      "Basic Zm9vOmJhcg==",
      "0".repeat(64),
      "A".repeat(64),
      "0".repeat(63),
      "0".repeat(65),
      "rk_unknown",
      "' OR 1=1 --",
    ),
  },
  // long, but together under Node's 16 KiB header limit (requests over it are a separate test)
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 2_000 }).map((length) => "x".repeat(length)) },
  { weight: 1, arbitrary: fc.array(headerText, { minLength: 2, maxLength: 3 }) },
);

const idempotencyKey: fc.Arbitrary<HeaderValue | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      minLength: 1,
      maxLength: 255,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom("key-1", "key-2") },
  { weight: 2, arbitrary: headerValue },
);

// ------------------------------------------------------------------------------------------------ valid-looking data

const hex = (digits: number) =>
  fc.bigInt({ min: 0n, max: 16n ** BigInt(digits) - 1n }).map((n) => n.toString(16).padStart(digits, "0"));

/** Payer addresses: random, checksummed or not, and the merchant's own payout address. */
const payerOf = (fixtures: Fixtures) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(null).map(() => newPayer()) },
    { weight: 2, arbitrary: hex(40).map((digits) => `0x${digits}`) },
    { weight: 1, arbitrary: hex(40).map((digits) => `0x${digits.toUpperCase()}`) },
    { weight: 1, arbitrary: fc.constant(fixtures.payout) },
  );

/** Well-formed text without NUL, of 1..`max` UTF-16 units. */
const validText = (max: number) =>
  fc.oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: Math.min(max, 40) }).filter((text) => text.length <= max),
    fc.constantFrom("c1", "x".repeat(max)),
  );

/** ISO 8601 date-times from 1970 to 2999, in UTC or with an offset. */
const isoDate = fc
  .tuple(
    fc.date({ min: new Date("1970-01-02T00:00:00Z"), max: new Date("2999-12-30T00:00:00Z"), noInvalidDate: true }),
    fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
    fc.boolean(),
  )
  .map(([date, offsetMinutes, utc]) => (utc ? date.toISOString() : withOffset(date, offsetMinutes)));

/** `date` written in local time at `offsetMinutes` from UTC, e.g. `2026-01-31T14:30:00.000+02:30`. */
function withOffset(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

const csv = (values: readonly string[]) =>
  fc.array(fc.oneof(fc.constantFrom(...values), nastyString), { maxLength: 4 }).map((list) => list.join(","));

const pageNumber = fc.oneof(
  fc.integer({ min: -5, max: 1_000_005 }).map(String),
  fc.constantFrom(
    "1",
    "20",
    "100",
    "101",
    "0",
    "-0",
    "1.5",
    "1e2",
    "0x10",
    "",
    " 5",
    "Infinity",
    "NaN",
    "9".repeat(400),
  ),
);

// ------------------------------------------------------------------------------------------------ the routes

/** Who a route lets in: a signed merchant request, that or a customer token, or anyone. */
type Access = "merchant" | "merchantOrCustomer" | "public";

interface RouteSpec {
  method: "GET" | "POST";
  /** The path, with `{}` for its parameter. */
  path: string;
  access: Access;
  /** Real ids for the path parameter. */
  ids?: readonly string[];
  /** Valid-looking bodies, which the fuzzing mutates; absent when the route takes no body. */
  body?: { valid: fc.Arbitrary<Record<string, unknown>>; keys: readonly string[] };
  /** Valid-looking values of the query parameters the route knows. */
  query?: Record<string, fc.Arbitrary<string>>;
}

/** Valid-looking bodies with `required` keys always present and `optional` ones sometimes. */
function bodyOf(
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>> = {},
): NonNullable<RouteSpec["body"]> {
  const valid = fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) });
  return { valid, keys: [...Object.keys(required), ...Object.keys(optional)] };
}

function routesOf(fixtures: Fixtures) {
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

  const planRoutes: RouteSpec[] = [
    {
      method: "GET",
      path: "/integration/subscription-plans",
      access: "merchantOrCustomer",
      query: { limit: pageNumber, offset: pageNumber, statusIn: csv(["Draft", "Active", "Archived"]) },
    },
    {
      method: "POST",
      path: "/integration/subscription-plans",
      access: "merchant",
      body: planBody,
    },
    { method: "GET", path: "/integration/subscription-plans/{}", access: "merchantOrCustomer", ids: planIds },
    { method: "POST", path: "/integration/subscription-plans/{}/activate", access: "merchant", ids: planIds },
    {
      method: "POST",
      path: "/integration/subscription-plans/{}/archive",
      access: "merchant",
      ids: [plans.spare, plans.draft, plans.archived, plans.foreign],
    },
  ];

  const addresses = [subscriptions.draft, subscriptions.spare, subscriptions.foreign];
  const subscriptionRoutes: RouteSpec[] = [
    {
      method: "POST",
      path: "/integration/subscriptions",
      access: "merchantOrCustomer",
      body: bodyOf({ planId: fc.constantFrom(...planIds), customerId, payer }, draftFields),
    },
    {
      method: "GET",
      path: "/integration/subscriptions",
      access: "merchantOrCustomer",
      query: {
        customerId,
        payer,
        statusIn: csv(["Draft", "Pending", "Active", "Paused", "Cancelled"]),
        limit: pageNumber,
        offset: pageNumber,
      },
    },
    { method: "GET", path: "/integration/subscriptions/{}", access: "merchantOrCustomer", ids: addresses },
    { method: "GET", path: "/integration/subscriptions/{}/status", access: "public", ids: addresses },
    {
      method: "POST",
      path: "/integration/subscriptions/{}/activate",
      access: "merchantOrCustomer",
      ids: addresses,
      body: activateBody,
    },
    { method: "POST", path: "/integration/subscriptions/{}/pause", access: "merchant", ids: addresses },
    { method: "POST", path: "/integration/subscriptions/{}/unpause", access: "merchant", ids: addresses },
    {
      method: "POST",
      path: "/integration/subscriptions/{}/cancel",
      access: "merchant",
      ids: [subscriptions.spare, subscriptions.foreign],
    },
    {
      method: "POST",
      path: "/integration/subscriptions/create-customer-token",
      access: "merchant",
      body: bodyOf({ customerId }),
    },
    {
      method: "POST",
      path: "/integration/subscriptions/hint-update-state",
      access: "public",
      body: bodyOf({ hash: bytes32, blockchain: fc.constantFrom("localhost", "Localhost", "ethereum") }),
    },
  ];

  const sessionIds = [sessions.open, sessions.spare, sessions.foreign];
  const sessionRoutes: RouteSpec[] = [
    {
      method: "POST",
      path: "/integration/checkout-sessions",
      access: "merchant",
      body: bodyOf(
        { planId: fc.constantFrom(...planIds), customerId, successUrl: url, cancelUrl: url },
        { ...draftFields, lang: fc.constantFrom("en", "es", "ru"), expiresInHours: fc.integer({ min: 1, max: 720 }) },
      ),
    },
    { method: "GET", path: "/integration/checkout-sessions/{}", access: "merchant", ids: sessionIds },
    { method: "GET", path: "/checkout-sessions/{}", access: "public", ids: sessionIds },
    {
      method: "POST",
      path: "/checkout-sessions/{}/subscription",
      access: "public",
      ids: sessionIds,
      body: bodyOf({ payer }),
    },
    { method: "POST", path: "/checkout-sessions/{}/activate", access: "public", ids: sessionIds, body: activateBody },
  ];

  const apiKeyRoutes: RouteSpec[] = [
    { method: "POST", path: "/integration/api-keys/rotate", access: "merchant" },
    { method: "GET", path: "/integration/api-keys", access: "merchant" },
    // keys whose revocation is refused: the signing key itself, another merchant's, one that does not exist
    {
      method: "POST",
      path: "/integration/api-keys/{}/revoke",
      access: "merchant",
      ids: [fixtures.merchant.apiKey, fixtures.otherMerchant.apiKey, "rk_doesNotExist"],
    },
  ];

  const eventIds = [fixtures.events.own, fixtures.events.foreign, "00000000-0000-4000-8000-000000000000"];
  const operationsRoutes: RouteSpec[] = [
    {
      method: "POST",
      path: "/integration/webhooks/endpoint",
      access: "merchant",
      body: bodyOf({ url: fc.oneof(url, fc.constant(null)) }),
    },
    {
      method: "GET",
      path: "/integration/webhooks/events",
      access: "merchant",
      query: { undelivered: fc.constantFrom("true", "false"), limit: pageNumber, offset: pageNumber },
    },
    {
      method: "GET",
      path: "/integration/webhooks/deliveries",
      access: "merchant",
      query: { eventId: fc.constantFrom(...eventIds), limit: pageNumber, offset: pageNumber },
    },
    { method: "POST", path: "/integration/webhooks/events/{}/redeliver", access: "merchant", ids: eventIds },
    { method: "POST", path: "/integration/webhooks/test", access: "merchant" },
    {
      method: "GET",
      path: "/integration/charges",
      access: "merchant",
      query: {
        contractAddress: fc.constantFrom(...addresses),
        statusIn: csv(["Pending", "Succeeded", "Retrying", "Failed", "Cancelled"]),
        limit: pageNumber,
        offset: pageNumber,
      },
    },
    { method: "GET", path: "/integration/gas-wallets", access: "merchant" },
    { method: "GET", path: "/chains", access: "public" },
  ];

  return { planRoutes, subscriptionRoutes, sessionRoutes, apiKeyRoutes, operationsRoutes };
}

// ------------------------------------------------------------------------------------------------ requests

/** How a request authenticates, resolved (and signed) only when it is sent, so that signatures are fresh. */
type Auth =
  | { kind: "merchant" | "otherMerchant" | "customer" | "stranger" | "none" }
  | { kind: "stale"; skewSeconds: number }
  | { kind: "tampered"; part: "method" | "path" | "body" | "secret" | "key" }
  | { kind: "garbled"; signed: boolean; headers: Record<string, HeaderValue> };

/** A request to send; signing happens at send time. */
interface RequestPlan {
  method: string;
  path: string;
  body: string | undefined;
  contentType: string | undefined;
  auth: Auth;
  idempotencyKey: HeaderValue | undefined;
  chunked: boolean;
}

const CREDENTIAL_HEADERS = ["x-api-key", "x-api-ts", "x-api-sig", "authorization"];

const garbledAuth: fc.Arbitrary<Auth> = fc.record({
  kind: fc.constant("garbled" as const),
  signed: fc.boolean(),
  headers: fc.dictionary(fc.constantFrom(...CREDENTIAL_HEADERS), headerValue, { minKeys: 1, maxKeys: 4 }),
});

function authArbitrary(access: Access): fc.Arbitrary<Auth> {
  const simple = (kind: "merchant" | "otherMerchant" | "customer" | "stranger" | "none") => fc.constant<Auth>({ kind });
  const others: fc.WeightedArbitrary<Auth>[] = [
    { weight: 1, arbitrary: simple("otherMerchant") },
    { weight: 1, arbitrary: simple("stranger") },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.integer({ min: -1_000_000, max: -301 }), fc.integer({ min: 301, max: 1_000_000 }))
        .map((skewSeconds): Auth => ({ kind: "stale", skewSeconds })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("method", "path", "body", "secret", "key")
        .map((part): Auth => ({ kind: "tampered", part })),
    },
    { weight: 3, arbitrary: garbledAuth },
  ];
  const main =
    access === "public"
      ? [{ weight: 8, arbitrary: simple("none") }]
      : access === "merchant"
        ? [{ weight: 10, arbitrary: simple("merchant") }]
        : [
            { weight: 7, arbitrary: simple("merchant") },
            { weight: 4, arbitrary: simple("customer") },
          ];
  return fc.oneof(...main, { weight: 1, arbitrary: simple(access === "public" ? "merchant" : "none") }, ...others);
}

const PATH_ODDITIES = [
  "",
  "%20",
  ".",
  "..",
  "%2e%2e",
  "%2F",
  "a%2Fb",
  "%25",
  "%2500",
  "+",
  "%00",
  "%0A",
  "%E2%80%AE",
  "%F0%9F%A6%84",
  "%EF%BB%BF",
  "%",
  "%zz",
  "%E0%A4%A",
  "%ED%A0%80",
  "%C0%AF",
];

/** Path parameters: real ids, near misses of them, garbage, and malformed encodings. */
function pathParameter(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...ids) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...ids), fc.constantFrom("lower", "upper", "shorter", "longer"))
        .map(([id, variant]) =>
          variant === "lower"
            ? id.toLowerCase()
            : variant === "upper"
              ? id.toUpperCase()
              : variant === "shorter"
                ? id.slice(0, -1)
                : `${id}0`,
        ),
    },
    { weight: 3, arbitrary: nastyString.map((text) => percentEncode(text.slice(0, 300))) },
    { weight: 1, arbitrary: fc.constantFrom(...PATH_ODDITIES) },
  );
}

const RAW_QUERIES = [
  "?",
  "?&",
  "?&&=&",
  "?=",
  "?=x",
  "?limit",
  "?limit=",
  "?limit=1&limit=2",
  "?limit[]=1",
  "?limit[a]=1",
  "?a.b=1",
  "?limit=1;offset=2",
  "?%",
  "?%zz=1",
  "?limit=%",
  "?limit=%E0%A4%A",
  "?customerId=%ED%A0%80",
  "?customerId=%00",
  "?statusIn=Active&statusIn=Draft",
  `?statusIn=${"Active,".repeat(40)}`,
  `?limit=${"9".repeat(400)}`,
  "?__proto__[limit]=1",
  "?constructor=1",
  "?limit=+5",
  "?offset=-0",
  `?customerId=${"x".repeat(2_000)}`,
];

/** Query strings: known parameters with valid-looking or garbage values, unknown and repeated ones, raw oddities. */
function queryString(known: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<string> {
  // values cut short: a URL over 16 KiB is a separate test
  const value = nastyString.map((text) => text.slice(0, 400));
  const pair = fc.oneof(
    ...Object.entries(known).map(([name, valid]) =>
      fc.tuple(fc.constant(name), fc.oneof({ weight: 3, arbitrary: valid.map((text) => text.slice(0, 400)) }, value)),
    ),
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...EXTRA_KEYS),
        value.map((text) => text.slice(0, 60)),
      ),
      value,
    ),
  );
  const encoded = fc
    .array(pair, { minLength: 1, maxLength: 3 })
    .map((pairs) => `?${pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join("&")}`);
  const knows = Object.keys(known).length > 0;
  return fc.oneof(
    { weight: knows ? 2 : 6, arbitrary: fc.constant("") },
    { weight: knows ? 6 : 1, arbitrary: encoded },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES) },
  );
}

function bodyArbitrary(route: RouteSpec): fc.Arbitrary<string | undefined> {
  if (!route.body) return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, strayBody);
  return fc.oneof({ weight: 6, arbitrary: jsonText(mutatedBody(route.body.valid, route.body.keys)) }, strayBody);
}

/** How fast-check prints a request plan in a counterexample: long strings cut short. */
function printable(plan: RequestPlan): RequestPlan {
  const print = () =>
    JSON.stringify(plan, (_key, value: unknown) =>
      typeof value === "string" && value.length > 200 ? `${value.slice(0, 200)}... (${value.length} chars)` : value,
    );
  return Object.assign(plan, { [fc.toStringMethod]: print });
}

function requestArbitrary(route: RouteSpec): fc.Arbitrary<RequestPlan> {
  const path = fc
    .tuple(route.ids ? pathParameter(route.ids) : fc.constant(""), queryString(route.query))
    .map(([parameter, query]) => `${route.path.replace("{}", parameter)}${query}`);
  return fc
    .record({
      method: fc.oneof({ weight: 20, arbitrary: fc.constant(route.method) }, fc.constantFrom("PUT", "PATCH", "DELETE")),
      path,
      body: bodyArbitrary(route),
      contentType,
      auth: authArbitrary(route.access),
      idempotencyKey: route.method === "POST" ? idempotencyKey : fc.constant(undefined),
      chunked: fc.boolean(),
    })
    .map(printable);
}

/** The request headers `auth` stands for, signed now. */
function credentialHeaders(auth: Auth, plan: RequestPlan, fixtures: Fixtures): Record<string, HeaderValue> {
  const { merchant, otherMerchant } = fixtures;
  switch (auth.kind) {
    case "merchant":
      return signatureHeaders(merchant, plan);
    case "otherMerchant":
      return signatureHeaders(otherMerchant, plan);
    case "customer":
      return { authorization: `Bearer ${fixtures.customerToken}` };
    case "stranger":
      return { authorization: `Bearer ${fixtures.strangerToken}` };
    case "none":
      return {};
    case "stale":
      return signatureHeaders(merchant, plan, String(nowSeconds() + auth.skewSeconds));
    case "tampered": {
      const { part } = auth;
      if (part === "secret") return signatureHeaders({ ...merchant, apiSecret: otherMerchant.apiSecret }, plan);
      if (part === "key") return signatureHeaders({ ...merchant, apiKey: otherMerchant.apiKey }, plan);
      const signed = {
        method: part === "method" ? (plan.method === "GET" ? "POST" : "GET") : plan.method,
        path: part === "path" ? `${plan.path}x` : plan.path,
        body: part === "body" ? `${plan.body ?? ""} ` : plan.body,
      };
      return signatureHeaders(merchant, signed);
    }
    case "garbled":
      return { ...(auth.signed ? signatureHeaders(merchant, plan) : {}), ...auth.headers };
  }
}

function materialise(plan: RequestPlan, fixtures: Fixtures): Probe {
  const headers: Record<string, HeaderValue> = {};
  if (plan.contentType !== undefined) headers["content-type"] = plan.contentType;
  if (plan.idempotencyKey !== undefined) headers["x-idempotency-key"] = plan.idempotencyKey;
  Object.assign(headers, credentialHeaders(plan.auth, plan, fixtures));
  return { method: plan.method, path: plan.path, body: plan.body, headers, chunked: plan.chunked };
}

/** Sends, `numRuns` times, one generated request to each of `routes`, checking every answer. */
async function fuzzRoutes(prober: Prober, fixtures: Fixtures, routes: RouteSpec[], numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(...routes.map(requestArbitrary)),
      timeBoxed(async (plans) => {
        for (const plan of plans) await prober.check(materialise(plan, fixtures));
      }),
    ),
    { numRuns },
  );
}

/** A correctly signed request with an optional JSON body (public routes ignore the signature). */
function signedProbe(fixtures: Fixtures, method: string, path: string, body?: unknown): Probe {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, HeaderValue> = signatureHeaders(fixtures.merchant, { method, path, body: text });
  if (text !== undefined) headers["content-type"] = "application/json";
  return { method, path, body: text, headers, chunked: false };
}

/** Starts a test server with real data for one describe block. */
function useServer(): { fixtures: () => Fixtures; prober: () => Prober } {
  let server: TestServer | undefined;
  let fixtures: Fixtures | undefined;
  let prober: Prober | undefined;
  before(async () => {
    server = await startTestServer();
    fixtures = await createFixtures(server);
    prober = new Prober(server);
  }, hookTimeouts.starting);
  after(async () => {
    await server?.close();
  }, hookTimeouts.stopping);
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test server is not started");
    return value;
  };
  return { fixtures: () => ready(fixtures), prober: () => ready(prober) };
}

// ------------------------------------------------------------------------------------------------ the properties

describe(`fuzzing the plan and API key routes (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routesOf(fixtures()).planRoutes, 50);
  });

  it("lists, rotates and revokes API keys or refuses without writing, whatever the request, and the old key keeps working", async () => {
    await fuzzRoutes(prober(), fixtures(), routesOf(fixtures()).apiKeyRoutes, 30);
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
  const { fixtures, prober } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routesOf(fixtures()).subscriptionRoutes, 40);
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
  const { fixtures, prober } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routesOf(fixtures()).sessionRoutes, 50);
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
  const { fixtures, prober } = useServer();

  it("never answers 5xx, refuses only with the error shape, and writes nothing when it refuses", async () => {
    await fuzzRoutes(prober(), fixtures(), routesOf(fixtures()).operationsRoutes, 40);
  });
});

describe(`fuzzing headers, sizes and paths on every route (${testEngine})`, { timeout: 600_000 }, () => {
  const { fixtures, prober } = useServer();
  const allRoutes = () => Object.values(routesOf(fixtures())).flat();

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
