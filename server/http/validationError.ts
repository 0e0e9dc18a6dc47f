import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import type { ErrorDetail } from "../schemas/errors.js";
import { type ApiError, badRequest } from "./ApiError.js";

/**
 * The answer to a request its route's zod schema refused, or undefined for any other error: a 400 whose message
 * names the first field at fault (`Invalid body: body.amount: ...`) and whose details list every one, each path
 * starting with where it was (`body`, `query`, `params`, `headers`). The API and the signing proxy both answer so.
 */
export function validationErrorOf(error: unknown): ApiError | undefined {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  const where = error.validationContext === "querystring" ? "query" : (error.validationContext ?? "request");
  const details: ErrorDetail[] = error.validation.map((issue) => ({
    path: [where, ...issue.instancePath.split("/").filter(Boolean)].join("."),
    message: issue.message ?? "invalid",
  }));
  const first = details[0];
  return badRequest(first ? `Invalid ${where}: ${first.path}: ${first.message}` : `Invalid ${where}`, details);
}
