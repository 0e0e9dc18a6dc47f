import type { FastifyError, FastifyInstance } from "fastify";
import { RecurApiError } from "../../../server/client/RecurClient.js";
import { ApiError, frameworkApiError } from "../../../server/http/ApiError.js";
import { validationErrorOf } from "../../../server/http/validationError.js";
import { UnavailableError } from "./UnavailableError.js";

/** The platform's refusals a browser may see as they are: they describe the browser's own request. */
const PASSED_ON = new Set([400, 403, 404, 409, 413, 429]);

const badGateway = () =>
  new ApiError(502, "BadGateway", "The billing platform is unavailable right now; try again in a minute");

/**
 * Gives every error the platform's shape `{status, code, message, details?}`: the browser's own mistakes with a
 * message saying how to fix them, the platform's refusals of the browser's request as the platform worded them, and
 * everything else (the platform down, or refusing this server's own credentials, or a bug here) as a bare 5xx whose
 * details go to the log only.
 */
export function handleErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError | RecurApiError | UnavailableError, request, reply) => {
    const answer = (failure: ApiError) => reply.code(failure.status).send(failure.body());
    // before ApiError, which it is: the platform's answers are passed on only when they are the browser's
    if (error instanceof RecurApiError) {
      if (PASSED_ON.has(error.status))
        return answer(new ApiError(error.status, error.code, error.message, error.details));
      // a 401 here means this server's API key is wrong or rotated: the operator must act, not the browser
      request.log.error(
        { status: error.status, code: error.code, message: error.message },
        "the platform refused a request",
      );
      return answer(badGateway());
    }
    if (error instanceof ApiError) return answer(error);
    if (error instanceof UnavailableError) {
      request.log.error({ err: error }, "a service this server depends on is unavailable");
      return answer(new ApiError(502, "BadGateway", error.message));
    }
    const invalid = validationErrorOf(error);
    if (invalid) return answer(invalid);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return answer(frameworkApiError(error));
    request.log.error({ err: error }, "request failed");
    return answer(new ApiError(500, "InternalError", "Internal error; it has been logged"));
  });
}
