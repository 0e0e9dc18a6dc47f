import { ApiError as ErrorAnswer } from "../../../server/http/ApiError.js";

/**
 * An error answer from the web server or the platform (`{status, code, message, details?}`), or no answer at all:
 * then `status` is 0 and `code` is `NetworkError`.
 */
export class ApiError extends ErrorAnswer {
  override name = "ApiError";
}
