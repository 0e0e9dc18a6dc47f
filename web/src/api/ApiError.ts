import type { ErrorDetail } from "../../../server/schemas/errors.js";

/** An error answer from the web server or the platform (`{status, code, message, details?}`), or no answer at all. */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The API's error code, e.g. `Conflict`, or `NetworkError` when there was no answer. */
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}
