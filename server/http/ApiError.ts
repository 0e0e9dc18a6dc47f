import type { ErrorBody, ErrorDetail } from "../schemas/errors.js";

/**
 * A request the API refuses, answered as `{status, code, message, details?}`. The message says what was wrong and
 * how to fix it; it never carries anything internal.
 */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }

  /** The response body: `{status, code, message, details?}`. */
  body(): ErrorBody {
    return {
      status: this.status,
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new ApiError(400, "BadRequest", message, details);
export const unauthorized = (message: string) => new ApiError(401, "Unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "Forbidden", message);
export const notFound = (message: string) => new ApiError(404, "NotFound", message);
export const conflict = (message: string) => new ApiError(409, "Conflict", message);

/** Error codes for the statuses Fastify and its plugins answer with by themselves. */
const FRAMEWORK_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  413: "PayloadTooLarge",
  414: "URITooLong",
  415: "UnsupportedMediaType",
  429: "TooManyRequests",
};

/**
 * A 4xx that Fastify or a plugin raised (a malformed URL, an oversized body, a wrong content type) in the error
 * shape, with its own message; a status without a code of its own is a `BadRequest`.
 */
export function frameworkApiError(error: { statusCode?: number | undefined; message: string }): ApiError {
  const status = error.statusCode ?? 400;
  return new ApiError(status, FRAMEWORK_CODES[status] ?? "BadRequest", error.message);
}
