/**
 * Something this server depends on (the platform, a chain's RPC) could not be reached or did not answer in time.
 * The browser gets a 502 with the message, which says only what failed and to try again; the log gets the cause.
 */
export class UnavailableError extends Error {
  override name = "UnavailableError";
}
