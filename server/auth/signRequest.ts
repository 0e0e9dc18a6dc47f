import { createHmac } from "node:crypto";

/**
 * The `x-api-sig` of a request, exactly as SmartyPay documents it: lowercase hex HMAC-SHA256, keyed with the API
 * secret, of `ts + METHOD + path-with-query + body` (the body as sent; empty for GET).
 */
export function signRequest(request: {
  secret: string;
  ts: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
}): string {
  return createHmac("sha256", request.secret)
    .update(request.ts + request.method.toUpperCase() + request.path)
    .update(request.body ?? "")
    .digest("hex");
}
