import { createHash, timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import { LRUCache } from "lru-cache";
import { signRequest } from "../auth/signRequest.js";
import { apiKeys, usedSignatures } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { ApiError, unauthorized } from "./ApiError.js";
import type { RateLimits } from "./RateLimits.js";

/** Who is calling. */
export type Principal =
  | { kind: "merchant"; merchantId: string; apiKey: string }
  | { kind: "customer"; merchantId: string; customerId: string };

/**
 * How long a decrypted API secret is reused before the key is looked up again: a key revoked or expired on another
 * API process stops working here within this bound (at once on the process that revoked it).
 */
export const KEY_CACHE_MS = 10_000;

/** API keys remembered at most: beyond it the least recently used is looked up again, so memory stays bounded. */
const KEY_CACHE_MAX = 10_000;

/** How often a key's `lastUsedAt` is written: at most once a minute per key and process, so reads stay one query. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Methods that change nothing: their signatures may be repeated inside the timestamp window (SmartyPay's SDK signs
 * with whole seconds, so two identical reads in one second carry one signature). Every other method's signature
 * is accepted once.
 */
const SAFE_METHODS = new Set(["GET", "HEAD"]);

interface CachedKey {
  merchantId: string;
  secret: string;
  /** When `lastUsedAt` was last written, as far as this process knows (ms). */
  lastUsedAt: number;
}

/** Checks request signatures, HTTP Basic credentials and customer tokens, and applies the rate limits. */
export class Authenticator {
  /** Decrypted keys for {@link KEY_CACHE_MS} at most (or until the key expires), on the services' clock. */
  readonly #keys = new LRUCache<string, CachedKey>({
    max: KEY_CACHE_MAX,
    ttl: KEY_CACHE_MS,
    ttlResolution: 0,
    perf: { now: () => this.services.now().getTime() },
  });
  /** Bumped by every `forgetMerchant`, so a lookup that raced a revocation is not cached. */
  #generation = 0;
  #claims = 0;

  /**
   * The replay guard's statement, prepared once: every signed POST runs it before anything else, so building it
   * afresh each time (and having the database plan it again) is a cost every write pays.
   */
  readonly #claimStatement;

  constructor(
    readonly services: Services,
    readonly limits: RateLimits,
  ) {
    this.#claimStatement = services.db
      .insert(usedSignatures)
      .values({ signature: sql.placeholder("signature"), expiresAt: sql.placeholder("expiresAt") })
      .onConflictDoNothing()
      .returning({ signature: usedSignatures.signature })
      .prepare("claim_signature");
  }

  /** Drops what this process remembers of a merchant's keys: after a rotation or revocation, it applies at once. */
  forgetMerchant(merchantId: string): void {
    this.#generation++;
    const forgotten = [...this.#keys.entries()].filter(([, entry]) => entry.merchantId === merchantId);
    for (const [apiKey] of forgotten) this.#keys.delete(apiKey);
  }

  async #keyOf(apiKey: string): Promise<CachedKey | undefined> {
    const now = this.services.now();
    const cached = this.#keys.get(apiKey);
    if (cached) return cached;
    const generation = this.#generation;
    const [row] = await this.services.db
      .select()
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.id, apiKey),
          isNull(apiKeys.revokedAt),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
        ),
      );
    if (!row) {
      this.#keys.delete(apiKey);
      return undefined;
    }
    const entry = {
      merchantId: row.merchantId,
      secret: this.services.apiSecrets.open(row.secretCiphertext),
      lastUsedAt: row.lastUsedAt?.getTime() ?? 0,
    };
    const start = now.getTime();
    const until = Math.min(start + KEY_CACHE_MS, row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    // counted from the time the row was read; lru-cache keeps an entry through the last millisecond of its ttl,
    // and the key is refused from `until` on
    const ttl = until - start - 1;
    if (generation === this.#generation && ttl > 0) this.#keys.set(apiKey, entry, { ttl, start });
    return entry;
  }

  /** Notes that `apiKey` authenticated a request, at most once a {@link LAST_USED_RESOLUTION_MS}. */
  async #used(apiKey: string, key: CachedKey): Promise<void> {
    const now = this.services.now();
    if (now.getTime() - key.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    key.lastUsedAt = now.getTime();
    await this.services.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, apiKey));
  }

  /**
   * Accepts a state-changing request's signature once, in the database (so every API process, and this one after
   * a restart, refuses it again). Claimed before the route runs: a request refused later must be signed afresh.
   */
  async #claim(signature: string, expiresAt: Date): Promise<boolean> {
    if (++this.#claims % 1_000 === 0) {
      await this.services.db.delete(usedSignatures).where(lt(usedSignatures.expiresAt, this.services.now()));
    }
    const inserted = await this.#claimStatement.execute({ signature, expiresAt });
    return inserted.length === 1;
  }

  /**
   * A merchant's request: signed (`x-api-key`, `x-api-ts` within the window and `x-api-sig`, the HMAC of the bytes
   * exactly as received, each state-changing signature once), or with `Authorization: Basic` of the API key and
   * secret. Then the key's rate limit applies.
   */
  async merchant(request: FastifyRequest): Promise<Principal> {
    const principal = await this.#counted(request, () =>
      !signs(request) && isBasic(request) ? this.#basic(request) : this.#signed(request),
    );
    await this.limits.principal(request, principal);
    if (signs(request) && !SAFE_METHODS.has(request.method)) {
      const ts = Number(header(request, "x-api-ts"));
      const expiresAt = new Date((ts + this.services.config.signatureWindowSeconds + 1) * 1000);
      if (!(await this.#claim(header(request, "x-api-sig") ?? "", expiresAt))) {
        throw unauthorized("This signature was already used: sign every request afresh");
      }
    }
    return principal;
  }

  async #signed(request: FastifyRequest): Promise<Principal> {
    const apiKey = header(request, "x-api-key");
    const ts = header(request, "x-api-ts");
    const signature = header(request, "x-api-sig");
    if (!apiKey) {
      throw unauthorized(
        "Missing x-api-key header: sign the request with your API key (or send it as Authorization: Basic)",
      );
    }
    if (!ts) throw unauthorized("Missing x-api-ts header: send the current unix time in seconds");
    if (!signature) {
      throw unauthorized("Missing x-api-sig header: send the hex HMAC-SHA256 of ts + METHOD + path + body");
    }
    if (!/^\d{1,12}$/.test(ts))
      throw unauthorized(`x-api-ts must be unix seconds (digits only), not "${ts.slice(0, 40)}"`);
    const window = this.services.config.signatureWindowSeconds;
    const skew = Number(ts) - Math.floor(this.services.now().getTime() / 1000);
    if (Math.abs(skew) > window) {
      throw unauthorized(
        `x-api-ts is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} the server clock (allowed: ${window} s): ` +
          "sign with the current unix time in seconds",
      );
    }
    if (!/^[0-9a-f]{64}$/.test(signature)) {
      throw unauthorized("x-api-sig must be 64 lowercase hex characters (an HMAC-SHA256)");
    }
    const key = await this.#keyOf(apiKey);
    if (!key) throw unauthorized("Unknown or expired API key");
    const expected = signRequest({
      secret: key.secret,
      ts,
      method: request.method,
      path: request.raw.url ?? request.url,
      body: request.rawBody,
    });
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw unauthorized(
        "Signature does not match: sign ts + METHOD + path with query + the body bytes as sent, with your API secret",
      );
    }
    await this.#used(apiKey, key);
    return { kind: "merchant", merchantId: key.merchantId, apiKey };
  }

  /**
   * `Authorization: Basic base64(API_KEY:API_SECRET)`, as SmartyPay's documentation allows. Nothing is signed, so
   * nothing can be refused as a replay: the secret travels in every request, which only TLS protects.
   */
  async #basic(request: FastifyRequest): Promise<Principal> {
    const credentials = basicCredentials(request);
    if (!credentials) throw unauthorized("Authorization: Basic must carry base64 of API_KEY:API_SECRET");
    const key = await this.#keyOf(credentials.apiKey);
    if (!key) throw unauthorized("Unknown or expired API key");
    // digests of equal length, so the comparison takes the same time whatever was sent
    const digest = (secret: string) => createHash("sha256").update(secret).digest();
    if (!timingSafeEqual(digest(key.secret), digest(credentials.apiSecret))) {
      throw unauthorized("The API secret does not match the API key in Authorization: Basic");
    }
    await this.#used(credentials.apiKey, key);
    return { kind: "merchant", merchantId: key.merchantId, apiKey: credentials.apiKey };
  }

  /** A customer's browser, with `Authorization: Bearer <customer token>`; then its rate limit applies. */
  async customer(request: FastifyRequest): Promise<Principal> {
    const principal = await this.#counted(request, async () => {
      const authorization = header(request, "authorization");
      const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
      if (!match?.[1]) {
        throw unauthorized(
          "Send x-api-key, x-api-ts and x-api-sig, Authorization: Basic with your API key and secret, " +
            "or Authorization: Bearer <customer token>",
        );
      }
      const claims = this.services.customerTokens.verify(match[1], Math.floor(this.services.now().getTime() / 1000));
      if (!claims)
        throw unauthorized("The customer token is invalid or expired: ask the merchant's server for a new one");
      return { kind: "customer", merchantId: claims.merchantId, customerId: claims.customerId } as const;
    });
    await this.limits.principal(request, principal);
    return principal;
  }

  /** A merchant if the request carries a signature header or Basic credentials, otherwise a customer. */
  async merchantOrCustomer(request: FastifyRequest): Promise<Principal> {
    return signs(request) || isBasic(request) ? this.merchant(request) : this.customer(request);
  }

  /** Runs a credential check; a failed one counts against the client address's limit, like an anonymous request. */
  async #counted(request: FastifyRequest, check: () => Promise<Principal>): Promise<Principal> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await this.limits.address(request);
      throw error;
    }
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether the request carries any of the signature headers. */
function signs(request: FastifyRequest): boolean {
  return ["x-api-key", "x-api-ts", "x-api-sig"].some((name) => request.headers[name] !== undefined);
}

function isBasic(request: FastifyRequest): boolean {
  return /^Basic\s/i.test(header(request, "authorization") ?? "");
}

/** The key and secret of `Authorization: Basic`, or undefined when it is absent or malformed. */
function basicCredentials(request: FastifyRequest): { apiKey: string; apiSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header(request, "authorization") ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1 || colon === decoded.length - 1) return undefined;
  return { apiKey: decoded.slice(0, colon), apiSecret: decoded.slice(colon + 1) };
}
