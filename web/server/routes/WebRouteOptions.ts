import type { WebConfig } from "../config/loadWebConfig.js";
import type { ForwardedIdempotencyKeys } from "../platform/ForwardedIdempotencyKeys.js";
import type { PlatformAccess } from "../platform/PlatformAccess.js";
import type { SessionStore } from "../sessions/SessionStore.js";
import type { SignInVerifier } from "../sessions/SignInVerifier.js";

/** What every route plugin of the web server is registered with. */
export interface WebRouteOptions {
  config: WebConfig;
  sessions: SessionStore;
  platform: PlatformAccess;
  verifier: SignInVerifier;
  /** What a browser's X-Idempotency-Key becomes before it reaches the platform. */
  idempotency: ForwardedIdempotencyKeys;
}
