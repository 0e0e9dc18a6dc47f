import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Queryable } from "../db/openDatabase.js";
import { idempotencyKeys } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { badRequest, conflict } from "./ApiError.js";

/** A successful write's response. */
export interface WriteResult<T> {
  status?: number;
  body: T;
}

/**
 * Runs a POST's writes in one transaction, so a refused request writes nothing. With `X-Idempotency-Key`, the
 * first response is stored in the same transaction and returned again for the same key and body (marked with an
 * `Idempotent-Replayed: true` header), without a second write; the same key with another request is a 409.
 * Refusals (4xx) are not stored: fixing the request and retrying with the same key works.
 *
 * @param scope Whose keys these are (`merchant:<id>`, a customer, a checkout session).
 * @param options.sensitive The response holds a secret: store it encrypted.
 * @param options.oneStatement `write` changes the database in a single statement (reads before it are fine, as
 *   they see what a transaction under READ COMMITTED would): without an idempotency key it runs without a
 *   transaction, two round trips fewer (`BEGIN`, `COMMIT`). With a key it needs one, to store the response.
 */
export async function runWrite<T>(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  write: (tx: Queryable) => Promise<WriteResult<T>>,
  options: { sensitive?: boolean; oneStatement?: boolean } = {},
): Promise<T> {
  const key = request.headers["x-idempotency-key"];
  if (key === undefined) {
    const result = options.oneStatement ? await write(services.db) : await services.db.transaction(write);
    reply.code(result.status ?? 200);
    return result.body;
  }
  if (typeof key !== "string" || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest("X-Idempotency-Key must be 1-255 printable ASCII characters without spaces", [
      { path: "headers.x-idempotency-key", message: "malformed" },
    ]);
  }
  const fingerprint = createHash("sha256")
    .update(`${request.method} ${request.raw.url}\n`)
    .update(request.rawBody ?? "")
    .digest("hex");

  const outcome = await services.db.transaction(async (tx) => {
    // claim the key first: a concurrent request with the same key waits here until this transaction ends
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ scope, key, fingerprint, responseStatus: 0, responseBody: "", createdAt: services.now() })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [stored] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!stored) throw new Error("idempotency key vanished");
      if (stored.fingerprint !== fingerprint) {
        throw conflict("This X-Idempotency-Key was already used for a different request: use a new key");
      }
      const body = options.sensitive ? services.responseSecrets.open(stored.responseBody) : stored.responseBody;
      return { replayed: true, status: stored.responseStatus, body: JSON.parse(body) as T };
    }
    const result = await write(tx);
    const json = JSON.stringify(result.body);
    await tx
      .update(idempotencyKeys)
      .set({
        responseStatus: result.status ?? 200,
        responseBody: options.sensitive ? services.responseSecrets.seal(json) : json,
      })
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    return { replayed: false, status: result.status ?? 200, body: result.body };
  });
  if (outcome.replayed) reply.header("idempotent-replayed", "true");
  reply.code(outcome.status);
  return outcome.body;
}
