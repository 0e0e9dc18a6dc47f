import { createHmac, randomUUID } from "node:crypto";
import { and, asc, desc, eq, isNotNull, isNull, lte, or } from "drizzle-orm";
import { apiKeys, merchants, outboxEvents, webhookDeliveries } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { vetWebhookTarget, WebhookTargetError } from "../domain/webhookTarget.js";
import { postWebhook } from "./postWebhook.js";
import type { WorkerTask } from "./runLoop.js";

type EventRow = typeof outboxEvents.$inferSelect;

export interface DispatcherOptions {
  /** Delay before the second attempt, seconds; doubled for each one after, up to {@link maxDelaySeconds}. */
  firstRetrySeconds: number;
  maxDelaySeconds: number;
  /** How long delivery is retried before giving up, seconds (at least a day). */
  giveUpAfterSeconds: number;
  timeoutMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  firstRetrySeconds: 10,
  maxDelaySeconds: 3_600,
  giveUpAfterSeconds: 3 * 86_400,
  timeoutMs: 10_000,
};

/** The wire body of an event: `{eventId, eventType, eventTs, ...payload}`. */
export function webhookBody(event: EventRow): string {
  return JSON.stringify({
    eventId: event.id,
    eventType: event.eventType,
    eventTs: event.createdAt.toISOString(),
    ...(event.payload as Record<string, unknown>),
  });
}

/** `x-sp-digest`: hex HMAC-SHA256 of the raw body, keyed with the merchant's API secret. */
export function webhookDigest(body: string, apiSecret: string): string {
  return createHmac("sha256", apiSecret).update(body).digest("hex");
}

/**
 * Delivers the outbox: each event is POSTed as JSON to its merchant's webhook URL, signed with `x-sp-digest`, until
 * an endpoint answers 2xx. Only public addresses are connected to (unless the operator allows private ones), checked
 * at every attempt. Failures back off exponentially for {@link DispatcherOptions.giveUpAfterSeconds}; every
 * attempt is logged in `webhook_deliveries`. Events are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so
 * workers never send the same event at once, and a delivered event is never sent again unless redelivery is asked.
 */
export class WebhookDispatcher implements WorkerTask {
  readonly name = "webhooks";

  constructor(
    readonly services: Services,
    readonly options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {}

  async step(): Promise<boolean> {
    const now = this.services.now();
    const claimed = await this.services.db.transaction(async (tx) => {
      const rows = await tx
        .select({ event: outboxEvents, webhookUrl: merchants.webhookUrl })
        .from(outboxEvents)
        .innerJoin(merchants, eq(merchants.id, outboxEvents.merchantId))
        .where(
          and(
            isNull(outboxEvents.deliveredAt),
            isNotNull(outboxEvents.nextAttemptAt),
            lte(outboxEvents.nextAttemptAt, now),
            isNotNull(merchants.webhookUrl),
            or(isNull(outboxEvents.leaseUntil), lte(outboxEvents.leaseUntil, now)),
          ),
        )
        .orderBy(asc(outboxEvents.createdAt))
        .limit(20)
        .for("update", { of: outboxEvents, skipLocked: true });
      for (const { event } of rows) {
        await tx
          .update(outboxEvents)
          .set({ leaseUntil: new Date(now.getTime() + this.options.timeoutMs * 3) })
          .where(eq(outboxEvents.id, event.id));
      }
      return rows;
    });
    await Promise.all(claimed.map(({ event, webhookUrl }) => this.#deliver(event, webhookUrl ?? "")));
    return claimed.length > 0;
  }

  async #deliver(event: EventRow, url: string): Promise<void> {
    const secret = await this.#secretOf(event.merchantId);
    const body = webhookBody(event);
    const started = Date.now();
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      // checked before every attempt, and the connection pinned to what was checked: a name may resolve to a
      // private address long after it was set (DNS rebinding); a refused target is never connected to
      const target = await vetWebhookTarget(url, {
        allowPrivate: this.services.config.allowPrivateWebhooks,
        resolve: this.services.resolveHost,
      });
      responseStatus = await postWebhook(
        target,
        body,
        {
          "content-type": "application/json",
          "x-sp-digest": secret ? webhookDigest(body, secret) : "",
          "user-agent": "Recur-Webhooks/1",
        },
        this.options.timeoutMs,
      );
      if (responseStatus < 200 || responseStatus >= 300) error = `HTTP ${responseStatus}`;
    } catch (failure) {
      error =
        failure instanceof WebhookTargetError
          ? failure.reason === "private"
            ? "refused: private address (not connected)"
            : `refused: ${failure.message}`
          : failure instanceof Error
            ? failure.message
            : String(failure);
    }
    const attempt = event.attempts + 1;
    const now = this.services.now();
    const delivered = error === null;
    const giveUp = !delivered && now.getTime() - event.createdAt.getTime() >= this.options.giveUpAfterSeconds * 1000;
    const delay = Math.min(this.options.maxDelaySeconds, this.options.firstRetrySeconds * 2 ** (attempt - 1));
    await this.services.db.transaction(async (tx) => {
      await tx.insert(webhookDeliveries).values({
        id: randomUUID(),
        eventId: event.id,
        merchantId: event.merchantId,
        attempt,
        url,
        responseStatus,
        error,
        durationMs: Date.now() - started,
        attemptedAt: now,
      });
      await tx
        .update(outboxEvents)
        .set({
          attempts: attempt,
          deliveredAt: delivered ? now : null,
          nextAttemptAt: delivered || giveUp ? null : new Date(now.getTime() + delay * 1000),
          lastError: error,
          leaseUntil: null,
        })
        .where(eq(outboxEvents.id, event.id));
    });
  }

  /** The merchant's newest API secret: what webhooks are signed with. */
  async #secretOf(merchantId: string): Promise<string | undefined> {
    const [key] = await this.services.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.merchantId, merchantId), isNull(apiKeys.expiresAt), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt))
      .limit(1);
    return key ? this.services.apiSecrets.open(key.secretCiphertext) : undefined;
  }
}
