import { text } from "node:stream/consumers";
import { webhookDigest } from "../../server/worker/WebhookDispatcher.js";
import { startLoopbackServer } from "./startLoopbackServer.js";

/** A webhook as received, with whether its signature checked out. */
export interface ReceivedWebhook {
  eventId: string;
  eventType: string;
  eventTs: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
  /** The Host header it came with. */
  host: string | undefined;
}

/**
 * A merchant's webhook endpoint on 127.0.0.1: records every event it accepts (checking `x-sp-digest` against the
 * merchant's API secret) and can be taken down (answering 503) and brought back.
 */
export async function startWebhookReceiver(apiSecret: () => string) {
  const received: ReceivedWebhook[] = [];
  let down = false;
  let attempts = 0;
  const server = await startLoopbackServer(async (request, response) => {
    attempts++;
    const body = await text(request);
    if (down) {
      response.writeHead(503).end();
      return;
    }
    const parsed = JSON.parse(body) as ReceivedWebhook["body"] & {
      eventId: string;
      eventType: string;
      eventTs: string;
    };
    received.push({
      eventId: parsed.eventId,
      eventType: parsed.eventType,
      eventTs: parsed.eventTs,
      body: parsed,
      signatureValid: request.headers["x-sp-digest"] === webhookDigest(body, apiSecret()),
      host: request.headers.host,
    });
    response.writeHead(204).end();
  });
  return {
    url: `${server.origin}/hooks`,
    received,
    /** Requests that reached the endpoint, accepted or not. */
    attempts: () => attempts,
    setDown(value: boolean) {
      down = value;
    },
    close: server.close,
  };
}
