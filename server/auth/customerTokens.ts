import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Who a customer token speaks for. */
export interface CustomerTokenClaims {
  merchantId: string;
  customerId: string;
  /** Expiry, unix seconds. */
  expiresAt: number;
}

/**
 * Short-lived bearer tokens that let a browser act for one customer of one merchant, signed with a key derived
 * from the deployment's secret key (so nothing is stored, and rotating the secret key revokes them all).
 */
export class CustomerTokens {
  readonly #key: Buffer;

  constructor(secretKey: Uint8Array) {
    this.#key = Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "recur:customer-token", 32));
  }

  issue(claims: CustomerTokenClaims): string {
    const payload = Buffer.from(JSON.stringify([claims.merchantId, claims.customerId, claims.expiresAt])).toString(
      "base64url",
    );
    return `ct_${payload}.${this.#mac(payload)}`;
  }

  /** The claims of a valid, unexpired token; `undefined` for anything else. */
  verify(token: string, nowSeconds: number): CustomerTokenClaims | undefined {
    const match = /^ct_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match?.[1] || !match[2]) return undefined;
    const expected = Buffer.from(this.#mac(match[1]));
    const given = Buffer.from(match[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const [merchantId, customerId, expiresAt] = JSON.parse(Buffer.from(match[1], "base64url").toString("utf8"));
      if (typeof merchantId !== "string" || typeof customerId !== "string" || typeof expiresAt !== "number") {
        return undefined;
      }
      if (expiresAt <= nowSeconds) return undefined;
      return { merchantId, customerId, expiresAt };
    } catch {
      return undefined;
    }
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }
}
