import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "../config/loadConfig.js";
import { ApiError } from "./ApiError.js";
import type { Principal } from "./authenticate.js";

/** A request over its rate limit: 429 with `Retry-After`. */
export class TooManyRequestsError extends ApiError {
  override name = "TooManyRequestsError";

  constructor(
    readonly retryAfterSeconds: number,
    who: string,
  ) {
    super(429, "TooManyRequests", `Too many requests ${who}: retry after ${retryAfterSeconds} s`);
  }
}

/** Where a request's bucket key is put for the limiter's key generator. */
const BUCKET = Symbol("rate limit bucket");
type Bucketed = FastifyRequest & { [BUCKET]?: string };

type Limiter = ReturnType<FastifyInstance["createRateLimit"]>;

/**
 * The API's rate limits (fixed windows, counted in this process by `@fastify/rate-limit`): per API key for a
 * merchant, per merchant and customer for a customer token, and per client address for everything else: the
 * public routes and requests whose credentials fail. A limit of `null` is off.
 */
export class RateLimits {
  readonly #byPrincipal: Limiter | undefined;
  readonly #byAddress: Limiter | undefined;

  /** `app` must have `@fastify/rate-limit` registered. */
  constructor(app: FastifyInstance, config: Config["rateLimit"]) {
    const timeWindow = config.windowSeconds * 1000;
    this.#byPrincipal =
      config.perKey === null
        ? undefined
        : app.createRateLimit({
            max: config.perKey,
            timeWindow,
            keyGenerator: (request) => (request as Bucketed)[BUCKET] ?? "",
          });
    // the plugin's own key: the client address, IPv6 grouped by /64 (one host's addresses count as one)
    this.#byAddress =
      config.perAddress === null ? undefined : app.createRateLimit({ max: config.perAddress, timeWindow });
  }

  /** Counts an authenticated request against its key's (or customer's) limit; throws once it is over. */
  async principal(request: FastifyRequest, principal: Principal): Promise<void> {
    if (!this.#byPrincipal) return;
    (request as Bucketed)[BUCKET] =
      principal.kind === "merchant"
        ? `key:${principal.apiKey}`
        : `customer:${principal.merchantId}:${principal.customerId}`;
    await check(this.#byPrincipal, request, principal.kind === "merchant" ? "for this API key" : "for this customer");
  }

  /** Counts an anonymous request (or one whose credentials failed) against its address; throws once it is over. */
  async address(request: FastifyRequest): Promise<void> {
    if (this.#byAddress) await check(this.#byAddress, request, "from this address");
  }
}

async function check(limiter: Limiter, request: FastifyRequest, who: string): Promise<void> {
  const outcome = await limiter(request);
  if (!outcome.isAllowed && outcome.isExceeded) {
    throw new TooManyRequestsError(Math.max(1, outcome.ttlInSeconds), who);
  }
}
