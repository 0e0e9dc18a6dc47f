import { request as httpRequest } from "node:http";
import { text } from "node:stream/consumers";
import { setTimeout as sleep } from "node:timers/promises";
import { startLoopbackServer } from "./startLoopbackServer.js";

/**
 * A JSON-RPC proxy in front of a node that misbehaves like a congested provider: it drops a share of requests
 * (resetting the connection or answering 502) and delays another share, deterministically from `seed`. A test can
 * also drop every request that calls a given method, until it says otherwise (`dropMethod`).
 */
export async function startFlakyRpcProxy(
  target: string,
  options: { dropRate: number; delayRate: number; delayMs: number; seed?: number },
) {
  let state = options.seed ?? 42;
  const random = () => {
    // a small linear congruential generator: the same misbehaviour every run
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const stats = { forwarded: 0, dropped: 0, delayed: 0 };
  let droppedMethod: string | undefined;
  const upstream = new URL(target);
  const server = await startLoopbackServer(async (incoming, response) => {
    const body = await text(incoming);
    if (droppedMethod && methodsOf(body).includes(droppedMethod)) {
      stats.dropped++;
      incoming.socket.destroy();
      return;
    }
    const roll = random();
    if (roll < options.dropRate) {
      stats.dropped++;
      if (roll < options.dropRate / 2) incoming.socket.destroy();
      else response.writeHead(502).end("bad gateway");
      return;
    }
    if (roll < options.dropRate + options.delayRate) {
      stats.delayed++;
      await sleep(options.delayMs);
    }
    stats.forwarded++;
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: upstream.pathname,
        method: "POST",
        headers: { "content-type": "application/json" },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, { "content-type": "application/json" });
        answer.pipe(response);
      },
    );
    forward.on("error", () => response.destroy());
    forward.end(body);
  });
  return {
    url: server.origin,
    stats,
    /** Drops every request (single or batched) calling `method` from now on; `undefined` stops it. */
    dropMethod(method: string | undefined) {
      droppedMethod = method;
    },
    close: server.close,
  };
}

/** The JSON-RPC methods a request body calls (a batch calls several). */
function methodsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((call) => call.method ?? "");
  } catch {
    return [];
  }
}
