import { createHmac, hkdfSync } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { RequestOptions } from "../../../server/client/RecurClient.js";
import { walletSessionOf } from "../routes/requireWallet.js";

/** Who, behind this server, sent a key: a signed-in payer, or an admin acting as the merchant. */
export type KeyOwner = "payer" | "admin";

/**
 * The `X-Idempotency-Key` this server forwards to the platform for a browser's key. The platform keeps keys per
 * caller, and to the platform every request of this server is the merchant's (signed with its API key) or a
 * customer's: forwarded as they came, a payer's keys would share the merchant's namespace, so a payer could claim a
 * key before the merchant's own backend uses it (its request would then be refused with a 409), probe which keys the
 * merchant used, or collide with another payer's key on the routes done as the merchant.
 *
 * So the forwarded key is a keyed hash (HMAC-SHA256 under a key derived from WEB_SESSION_SECRET) of who sent it,
 * the signed-in wallet in its role, and the key it sent. The same browser retrying with the same key still gets the
 * same key forwarded, so idempotency holds, across restarts too; nobody else can produce it, since that needs both
 * the wallet's session and this server's secret; and it is printable ASCII of a fixed length the platform accepts.
 */
export class ForwardedIdempotencyKeys {
  readonly #key: Buffer;

  /** @param sessionSecret WEB_SESSION_SECRET, from which a key of this purpose only is derived. */
  constructor(sessionSecret: string) {
    this.#key = Buffer.from(hkdfSync("sha256", sessionSecret, "", "recur web: forwarded idempotency keys", 32));
  }

  /** The key to forward for `key`, sent by `owner` with the signed-in `address`. */
  forward(owner: KeyOwner, address: string, key: string): string {
    const mac = createHmac("sha256", this.#key)
      .update(JSON.stringify([owner, address, key]))
      .digest("hex");
    return `web-${owner}-${mac}`;
  }

  /**
   * The idempotency option for the platform call a route makes for `request`, whose signed-in wallet sent it as
   * `owner`: none when the browser sent no key.
   */
  of(request: FastifyRequest, owner: KeyOwner): RequestOptions {
    const key = request.headers["x-idempotency-key"];
    if (typeof key !== "string") return {};
    return { idempotencyKey: this.forward(owner, walletSessionOf(request).wallet.address, key) };
  }
}
