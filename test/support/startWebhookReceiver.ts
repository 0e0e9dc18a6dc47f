import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookDigest } from "../../server/worker/WebhookDispatcher.js";

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
  const server = createServer(async (request, response) => {
    attempts++;
    const body = await readBody(request);
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
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    /** Requests that reached the endpoint, accepted or not. */
    attempts: () => attempts,
    setDown(value: boolean) {
      down = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}
