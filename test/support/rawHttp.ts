import http from "node:http";
import net from "node:net";
import { signRequest } from "../../server/auth/signRequest.js";

/*
 * A raw HTTP client for the property-based tests: requests go on the wire exactly as given, however malformed.
 */

export type HeaderValue = string | string[];

/** One HTTP request exactly as it goes on the wire. */
export interface Probe {
  method: string;
  /** Path and query string, as sent and as signed. */
  path: string;
  body: string | undefined;
  headers: Record<string, HeaderValue>;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked: boolean;
}

export interface Answer {
  status: number;
  text: string;
}

/**
 * Sends `probe` over a fresh connection (a refusal may close it) with `node:http`, which, unlike `fetch`, sends
 * duplicate headers, raw paths and bodies without a content type exactly as given.
 */
export function deliver(baseUrl: string, probe: Probe): Promise<Answer> {
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
export function deliverRaw(baseUrl: string, bytes: string): Promise<Answer> {
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

export interface Credentials {
  apiKey: string;
  apiSecret: string;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The three signature headers of a merchant request, signed now (or at `ts`). */
export function signatureHeaders(
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
export function percentEncode(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return encoded;
}
