import type { ErrorDetail } from "../schemas/errors.js";

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
}

export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new ApiError(400, "BadRequest", message, details);
export const unauthorized = (message: string) => new ApiError(401, "Unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "Forbidden", message);
export const notFound = (message: string) => new ApiError(404, "NotFound", message);
export const conflict = (message: string) => new ApiError(409, "Conflict", message);
