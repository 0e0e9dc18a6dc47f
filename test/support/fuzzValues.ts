import fc from "fast-check";
import { BODY_LIMIT } from "./Prober.js";
import { type HeaderValue, percentEncode } from "./rawHttp.js";

/*
 * The values the property-based tests send: adversarial strings, numbers, bodies, headers, paths and query strings,
 * and valid-looking ones for the fuzzing to start from.
 */

/** Single characters that trouble parsers, encoders and databases: controls, NUL, lone surrogates, BOM, RTL. */
export const nastyChar: fc.Arbitrary<string> = fc.oneof(
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

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: nastyChar, maxLength: 24 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...LENGTHS), fc.constantFrom("x", "é", "🦄", "'", "\u0000"))
      .map(([length, char]) => char.repeat(length)),
  },
);

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
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
export const garbageValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, false, [], {}),
  fc.jsonValue({ maxDepth: 3, stringUnit: nastyChar }),
);

/** Keys no request body has: prototype pollution, near misses and strangers. */
export const EXTRA_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "",
  "id",
  "merchantId",
  "status",
  "NAME",
];

/** Bodies that are not JSON, or JSON a parser might take differently. */
export const RAW_BODIES = [
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
export function jsonOfSize(bytes: number): string {
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
export function mutatedBody(
  valid: fc.Arbitrary<Record<string, unknown>>,
  keys: readonly string[],
): fc.Arbitrary<unknown> {
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
export const jsonText = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
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
export const strayBody: fc.Arbitrary<string | undefined> = fc.oneof(
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

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant("application/json") },
  { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Header values Node will send: tab, printable ASCII and Latin-1. */
export const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9))
    .map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

export const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
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

export const idempotencyKey: fc.Arbitrary<HeaderValue | undefined> = fc.oneof(
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

export const hex = (digits: number) =>
  fc.bigInt({ min: 0n, max: 16n ** BigInt(digits) - 1n }).map((n) => n.toString(16).padStart(digits, "0"));

/** Well-formed text without NUL, of 1..`max` UTF-16 units. */
export const validText = (max: number) =>
  fc.oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: Math.min(max, 40) }).filter((text) => text.length <= max),
    fc.constantFrom("c1", "x".repeat(max)),
  );

/** ISO 8601 date-times from 1970 to 2999, in UTC or with an offset. */
export const isoDate = fc
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

export const csv = (values: readonly string[]) =>
  fc.array(fc.oneof(fc.constantFrom(...values), nastyString), { maxLength: 4 }).map((list) => list.join(","));

export const pageNumber = fc.oneof(
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
export function pathParameter(ids: readonly string[]): fc.Arbitrary<string> {
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
export function queryString(known: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<string> {
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
