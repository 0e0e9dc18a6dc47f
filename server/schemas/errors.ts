import { z } from "zod";

/** A field-level problem with a request, reported in an error's `details`. */
export const errorDetail = z.object({ path: z.string(), message: z.string() });
/** `path` says where the problem is: `body.amount`, `query.limit`, `headers.x-api-ts`. */
export type ErrorDetail = z.infer<typeof errorDetail>;

/** Every refusal and failure: the message says what was wrong and how to fix it, never anything internal. */
export const errorResponse = z
  .object({
    status: z.number().int(),
    code: z.string().describe("BadRequest, Unauthorized, NotFound, Conflict, PayloadTooLarge, TooManyRequests, ..."),
    message: z.string().describe("What was wrong and how to fix it"),
    details: z.array(errorDetail).optional(),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof errorResponse>;

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  429: errorResponse,
};

/** The error responses of the public routes that write (the hosted checkout's). */
export const publicWriteErrorResponses = {
  400: errorResponse,
  404: errorResponse,
  409: errorResponse,
  413: errorResponse,
  429: errorResponse,
};
