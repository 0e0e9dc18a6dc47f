import { ConflictError, type DomainError, InvalidRequestError, NotFoundError } from "../domain/errors.js";
import { ApiError } from "./ApiError.js";

/**
 * The API's answer to what the domain refused: the one place a domain error becomes an HTTP status and error code,
 * with the domain's message (and its field problems as `details`) unchanged. Undefined for a kind of refusal added
 * without a status: the platform's mistake, answered as an internal error and logged.
 */
export function apiErrorOf(error: DomainError): ApiError | undefined {
  if (error instanceof InvalidRequestError) {
    return new ApiError(400, "BadRequest", error.message, [...error.problems]);
  }
  if (error instanceof NotFoundError) return new ApiError(404, "NotFound", error.message);
  if (error instanceof ConflictError) return new ApiError(409, "Conflict", error.message);
  return undefined;
}
