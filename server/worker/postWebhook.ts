import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { VettedTarget } from "../domain/webhookTarget.js";

/**
 * POSTs `body` to a vetted webhook target and resolves with the answer's status. The connection goes only to the
 * addresses {@link VettedTarget} holds: the host is not resolved again (a second answer could be a private address:
 * DNS rebinding), while the Host header and the TLS server name stay the URL's host, so certificates are checked as
 * usual. Redirects are not followed (a 3xx is the answer), and the answer's body is never read.
 */
export function postWebhook(
  target: VettedTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<number> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    const addresses = target.addresses.filter((candidate) => !options.family || options.family === candidate.family);
    const first = addresses[0];
    if (!first) {
      callback(new Error(`no vetted address of family ${options.family}`), "", 4);
      return;
    }
    if (options.all) (callback as unknown as (error: null, all: typeof addresses) => void)(null, addresses);
    else callback(null, first.address, first.family);
  };
  const { url } = target;
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(
      {
        method: "POST",
        protocol: url.protocol,
        host: target.host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        // the status is the answer; what an endpoint says beyond it is neither read nor recorded
        resolve(response.statusCode ?? 0);
        response.destroy();
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
