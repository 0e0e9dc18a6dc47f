import { timingSafeEqual } from "node:crypto";
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { FastifyRequest } from "fastify";
import { signRequest } from "../auth/signRequest.js";
import type { Database } from "../db/openDatabase.js";
import { apiKeys, usedSignatures } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { unauthorized } from "./ApiError.js";

/** Who is calling. */
export type Principal =
  | { kind: "merchant"; merchantId: string; apiKey: string }
  | { kind: "customer"; merchantId: string; customerId: string };

/** Remembers signatures until they leave the timestamp window, so that each is accepted once. */
export interface ReplayGuard {
  /** True the first time `signature` is seen; false for a replay. */
  firstUse(signature: string, expiresAt: Date): Promise<boolean>;
}

/**
 * Replay protection in memory: correct for PGlite, whose data directory only one process may own, so only one
 * process serves the API.
 */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #seen = new Map<string, number>();

  async firstUse(signature: string, expiresAt: Date): Promise<boolean> {
    const now = Date.now();
    if (this.#seen.size > 10_000) {
      for (const [seen, until] of this.#seen) if (until < now) this.#seen.delete(seen);
    }
    const until = this.#seen.get(signature);
    if (until !== undefined && until >= now) return false;
    this.#seen.set(signature, expiresAt.getTime());
    return true;
  }
}

/** Replay protection in the database, shared by every API process on one PostgreSQL. */
export class DatabaseReplayGuard implements ReplayGuard {
  #uses = 0;

  constructor(readonly db: Database) {}

  async firstUse(signature: string, expiresAt: Date): Promise<boolean> {
    if (++this.#uses % 1_000 === 0) {
      await this.db.delete(usedSignatures).where(lt(usedSignatures.expiresAt, new Date()));
    }
    const inserted = await this.db
      .insert(usedSignatures)
      .values({ signature, expiresAt })
      .onConflictDoNothing()
      .returning({ signature: usedSignatures.signature });
    return inserted.length === 1;
  }
}

/** How long a decrypted API secret is reused before the key is looked up again (so a revocation applies). */
const KEY_CACHE_MS = 10_000;

/** Checks request signatures and customer tokens. */
export class Authenticator {
  readonly #keys = new Map<string, { merchantId: string; secret: string; until: number }>();

  constructor(
    readonly services: Services,
    readonly replayGuard: ReplayGuard,
  ) {}

  async #secretOf(apiKey: string): Promise<{ merchantId: string; secret: string } | undefined> {
    const now = this.services.now();
    const cached = this.#keys.get(apiKey);
    if (cached && cached.until > now.getTime()) return cached;
    const [row] = await this.services.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, apiKey), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
    if (!row) {
      this.#keys.delete(apiKey);
      return undefined;
    }
    const entry = {
      merchantId: row.merchantId,
      secret: this.services.apiSecrets.open(row.secretCiphertext),
      until: Math.min(now.getTime() + KEY_CACHE_MS, row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY),
    };
    this.#keys.set(apiKey, entry);
    return entry;
  }

  /**
   * A merchant's signed request: `x-api-key`, `x-api-ts` (unix seconds, within the window) and `x-api-sig`, the
   * HMAC of the bytes exactly as received, never seen before.
   */
  async merchant(request: FastifyRequest): Promise<Principal> {
    const apiKey = header(request, "x-api-key");
    const ts = header(request, "x-api-ts");
    const signature = header(request, "x-api-sig");
    if (!apiKey) throw unauthorized("Missing x-api-key header: send your API key");
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
    const key = await this.#secretOf(apiKey);
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
    const expiresAt = new Date((Number(ts) + window + 1) * 1000);
    if (!(await this.replayGuard.firstUse(signature, expiresAt))) {
      throw unauthorized("This signature was already used: sign every request afresh");
    }
    return { kind: "merchant", merchantId: key.merchantId, apiKey };
  }

  /** A customer's browser, with `Authorization: Bearer <customer token>`. */
  customer(request: FastifyRequest): Principal {
    const authorization = header(request, "authorization");
    const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    if (!match?.[1]) {
      throw unauthorized("Send x-api-key, x-api-ts and x-api-sig, or Authorization: Bearer <customer token>");
    }
    const claims = this.services.customerTokens.verify(match[1], Math.floor(this.services.now().getTime() / 1000));
    if (!claims)
      throw unauthorized("The customer token is invalid or expired: ask the merchant's server for a new one");
    return { kind: "customer", merchantId: claims.merchantId, customerId: claims.customerId };
  }

  /** A merchant if the request carries any signature header, otherwise a customer. */
  async merchantOrCustomer(request: FastifyRequest): Promise<Principal> {
    const signs = ["x-api-key", "x-api-ts", "x-api-sig"].some((name) => request.headers[name] !== undefined);
    return signs ? this.merchant(request) : this.customer(request);
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
