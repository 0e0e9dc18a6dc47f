import { UnavailableError } from "../http/UnavailableError.js";

/** How long one platform request may take before the browser is told the platform is unavailable. */
const TIMEOUT_MS = 15_000;

/**
 * `fetch` for the platform client: a request that cannot reach the platform, or gets no answer within
 * {@link TIMEOUT_MS}, fails as an {@link UnavailableError} (a 502 for the browser) rather than as a bug.
 */
export const platformFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new UnavailableError("The billing platform is unavailable right now; try again in a minute", {
      cause: error,
    });
  }
};
