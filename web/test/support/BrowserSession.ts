import { request as httpRequest } from "node:http";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";

/** One answer as the browser saw it. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * What a browser on the site does over real HTTP: keeps the session cookie, sends its Origin with writes, and
 * signs in with a wallet key. Every answer's headers and body are kept in `transcript`, to search for what must
 * never reach a browser.
 */
export class BrowserSession {
  readonly transcript: string[] = [];
  #cookie: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly origin: string = baseUrl,
  ) {}

  get cookie(): string | undefined {
    return this.#cookie;
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: this.#headers(method, text, headers),
      ...(text === undefined ? {} : { body: text }),
    });
    return this.#keep<T>(response.status, response.headers, await response.text());
  }

  /**
   * The same request with a Host header of the caller's choosing, as a client that is not a browser can send it
   * (fetch always sends the URL's host).
   */
  async requestWithHost<T = Record<string, unknown>>(
    host: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path, this.baseUrl);
    const {
      status,
      headers: received,
      raw,
    } = await new Promise<{ status: number; headers: Headers; raw: string }>((resolve, reject) => {
      const outgoing = httpRequest(
        url,
        { method, headers: { ...this.#headers(method, text, headers), host }, timeout: 30_000 },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => {
            const answer = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              for (const item of Array.isArray(value) ? value : [value ?? ""]) answer.append(name, item);
            }
            resolve({ status: incoming.statusCode ?? 0, headers: answer, raw: Buffer.concat(chunks).toString() });
          });
          incoming.on("error", reject);
        },
      );
      outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer from ${url} within 30 s`)));
      outgoing.on("error", reject);
      outgoing.end(text);
    });
    return this.#keep<T>(status, received, raw);
  }

  #headers(method: string, text: string | undefined, headers: Record<string, string>): Record<string, string> {
    return {
      ...(method === "GET" ? {} : { origin: this.origin }),
      ...(text === undefined ? {} : { "content-type": "application/json" }),
      ...(this.#cookie ? { cookie: this.#cookie } : {}),
      ...headers,
    };
  }

  #keep<T>(status: number, headers: Headers, raw: string): Answer<T> {
    this.transcript.push([...headers].map(([name, value]) => `${name}: ${value}`).join("\n"), raw);
    const setCookie = headers.getSetCookie().find((line) => line.startsWith("recur_session="));
    if (setCookie) {
      const value = setCookie.split(";")[0] ?? "";
      this.#cookie = value === "recur_session=" ? undefined : value;
    }
    return { status, headers, body: (raw ? JSON.parse(raw) : undefined) as T };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>("GET", path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>("POST", path, body, headers);
  }

  /** A Sign-In with Ethereum message for this site and `nonce`, as a wallet library writes it. */
  signInMessage(address: Hex, nonce: string, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
    const url = new URL(this.baseUrl);
    return createSiweMessage({
      domain: url.host,
      address,
      uri: url.origin,
      version: "1",
      chainId: 31337,
      nonce,
      statement: "Sign in to manage your subscriptions",
      ...overrides,
    });
  }

  /** Signs in with the wallet holding `key`: a nonce, the signed message, and the session cookie that follows. */
  async signIn(key: Hex): Promise<Answer> {
    const account = privateKeyToAccount(key);
    const { body } = await this.get<{ nonce: string }>("/api/auth/nonce");
    const message = this.signInMessage(account.address, body.nonce);
    return this.post("/api/auth/verify", { message, signature: await account.signMessage({ message }) });
  }
}
