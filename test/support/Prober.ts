import assert from "node:assert/strict";
import { type Answer, deliver, type Probe } from "./rawHttp.js";
import type { TestServer } from "./startTestServer.js";

/** The largest body the API reads; anything larger must be refused with 413. */
export const BODY_LIMIT = 64 * 1024;

const ERROR_KEYS = ["status", "code", "message", "details"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a failure message shows of a request and its answer: enough to reproduce it, cut short where huge. */
export function describeExchange(probe: Probe, answer: Answer): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
  const headers = JSON.stringify(probe.headers, (_key, value: unknown) =>
    typeof value === "string" ? cut(value) : value,
  );
  const body = probe.body === undefined ? "(no body)" : JSON.stringify(cut(probe.body));
  const request = `${probe.method} ${cut(probe.path)}\nheaders: ${headers}\nbody: ${body}`;
  return `${request}\n=> ${answer.status} ${cut(answer.text)}`;
}

/** Asserts that `answer` is exactly the documented error body: `{status, code, message, details?}`. */
export function assertErrorShape(answer: Answer, exchange: string): void {
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
export class Prober {
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
