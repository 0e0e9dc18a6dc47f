import type { FastifyRequest } from "fastify";
import { ApiError, forbidden } from "../../../server/http/ApiError.js";

/** Methods that change nothing, and so need no cross-site protection. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * `onRequest` hook refusing cross-site writes (CSRF): every request that is not a GET, HEAD or OPTIONS must come
 * from a page of this site (its configured `publicOrigin`, never one made up from the request's Host header, which
 * the sender chooses), or of one of `allowedOrigins` (the Origin header, which browsers send with every such
 * request and pages cannot forge), and carry JSON (which a plain HTML form cannot send, and which makes a
 * cross-origin browser ask first through a CORS preflight).
 */
export function guardWrites(publicOrigin: string, allowedOrigins: string[]) {
  const trusted = new Set([publicOrigin, ...allowedOrigins]);
  return async (request: FastifyRequest) => {
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (!origin) {
      throw forbidden(`A ${request.method} must carry the Origin header of a page of this site (browsers send it)`);
    }
    if (!trusted.has(origin)) {
      throw forbidden(`Requests from pages of ${origin} may not change anything on this site`);
    }
    const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        `Send Content-Type: application/json (with an empty or JSON body), not ${type ?? "no content type"}`,
      );
    }
  };
}
