import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { DomainError } from "../domain/errors.js";
import type { Services } from "../domain/Services.js";
import { ApiError, frameworkApiError } from "./ApiError.js";
import { answerClientError } from "./answerClientError.js";
import { apiErrorOf } from "./apiErrorOf.js";
import { Authenticator, type Principal } from "./authenticate.js";
import { RateLimits, TooManyRequestsError } from "./RateLimits.js";
import { apiKeyRoutes } from "./routes/apiKeyRoutes.js";
import { brandingRoutes } from "./routes/brandingRoutes.js";
import { chainRoutes } from "./routes/chainRoutes.js";
import { checkoutSessionRoutes, hostedCheckoutRoutes } from "./routes/checkoutSessionRoutes.js";
import { operationsRoutes } from "./routes/operationsRoutes.js";
import { planRoutes } from "./routes/planRoutes.js";
import { authenticates, merchantOnly } from "./routes/routeSupport.js";
import { storefrontRoutes } from "./routes/storefrontRoutes.js";
import { subscriptionRoutes } from "./routes/subscriptionRoutes.js";
import { validationErrorOf } from "./validationError.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The body bytes exactly as received: what request signatures cover. */
    rawBody?: Buffer;
    /** Who is calling, once authenticated. */
    principal?: Principal;
  }
}

/** Largest request body accepted; every API body is far smaller. */
const BODY_LIMIT = 64 * 1024;

export interface AppDependencies {
  services: Services;
  /** Log every request; off for benchmarks. */
  logRequests?: boolean;
}

/**
 * The platform's HTTP API: the SmartyPay-compatible `/integration` routes for merchants (HMAC-signed) and their
 * customers' browsers (customer tokens), the public checkout-session and status routes, and `/openapi.json`.
 * Builds the app without listening; the process entry decides where.
 */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { services } = deps;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: !deps.logRequests }),
    logger: {
      level: services.config.logLevel,
      // signatures, tokens and secrets never reach the log
      redact: ["req.headers.authorization", 'req.headers["x-api-sig"]', 'req.headers["x-api-key"]'],
    },
    ajv: { customOptions: { allErrors: false } },
    // the client's address is the connection's peer, unless the operator names the proxies in front
    trustProxy: services.config.trustProxy.length > 0 ? services.config.trustProxy : false,
    // what Fastify refuses before routing (a malformed URL, an overlong path parameter) keeps the error shape
    frameworkErrors: (error, _request, reply) => {
      const refused = frameworkApiError(error);
      (reply as FastifyReply).code(refused.status).send(refused.body());
    },
    // and so does what Node cannot even parse as HTTP
    clientErrorHandler: answerClientError,
  });
  // limits are set per route (or group of routes); a refusal is a 429 in the error shape, through the handler below
  await app.register(fastifyRateLimit, { global: false });
  const limits = new RateLimits(app, services.config.rateLimit);
  const authenticator = new Authenticator(services, limits);
  // the routes a payer's page may call from another origin: every one but the merchant's own (see the CORS below)
  const browserRoutes: { method: string; path: RegExp }[] = [];
  app.addHook("onRoute", (route) => {
    if ([route.preValidation].flat().some(merchantOnly)) return;
    const path = routePattern(route.url);
    for (const method of [route.method].flat()) if (method !== "OPTIONS") browserRoutes.push({ method, path });
  });
  // a route that authenticates is limited per key once its caller is known; every other one per client address
  app.addHook("onRoute", (route) => {
    if ([route.preValidation].flat().some(authenticates)) return;
    const byAddress = async (request: FastifyRequest) => limits.address(request);
    route.onRequest = [...[route.onRequest ?? []].flat(), byAddress];
  });

  // JSON only: other bodies are refused, not parsed (and never signed over something else than what was sent)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (request, _payload, done) => {
    done(
      new ApiError(
        415,
        "UnsupportedMediaType",
        `Send JSON with Content-Type: application/json, not ${request.headers["content-type"]}`,
      ),
      undefined,
    );
  });
  // keep the body bytes for signature checks; an empty body is no body
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    const buffer = body as Buffer;
    request.rawBody = buffer;
    if (buffer.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(buffer.toString("utf8")));
    } catch {
      done(new ApiError(400, "BadRequest", "The body is not valid JSON"), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof TooManyRequestsError) reply.header("retry-after", String(error.retryAfterSeconds));
    if (error instanceof ApiError) return reply.code(error.status).send(error.body());
    const refused = error instanceof DomainError ? apiErrorOf(error) : undefined;
    if (refused) return reply.code(refused.status).send(refused.body());
    const invalid = validationErrorOf(error);
    if (invalid) return reply.code(invalid.status).send(invalid.body());
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const refused = frameworkApiError(error);
      return reply.code(refused.status).send(refused.body());
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ status: 500, code: "InternalError", message: "Internal error; it has been logged" });
  });

  app.setNotFoundHandler(
    { preHandler: async (request: FastifyRequest) => limits.address(request) },
    (request, reply) => {
      reply.code(404).send({
        status: 404,
        code: "NotFound",
        message: `No route ${request.method} ${request.url.split("?")[0]}: see /openapi.json for the API`,
      });
    },
  );

  await app.register(async (api) => {
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    await api.register(fastifySwagger, {
      openapi: {
        info: {
          title: "Recur merchant API",
          version: "1.0.0",
          description:
            "SmartyPay-compatible subscription API. Sign merchant requests with x-api-key, x-api-ts (unix seconds) " +
            "and x-api-sig = hex HMAC-SHA256(apiSecret, ts + METHOD + path-with-query + body), or send the API key " +
            "and secret as HTTP Basic credentials (over TLS only: nothing is signed, so nothing is replay-protected).",
        },
        components: {
          securitySchemes: {
            apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
            basicAuth: { type: "http", scheme: "basic", description: "API key and secret; not replay-protected" },
            customerToken: { type: "http", scheme: "bearer" },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    // the payer pages (hosted checkout, embedded widget) call the API from their own origin: those origins, from the
    // configuration, may, on the public routes and those a customer token opens. Every route authenticates by a
    // header, never by a cookie, and credentials are not allowed: a page is granted nothing it does not hold.
    const cors = {
      origin: services.config.checkoutOrigins,
      methods: ["GET", "POST"],
      allowedHeaders: ["authorization", "content-type", "x-idempotency-key"],
      credentials: false,
      maxAge: 600,
    };
    await api.register(fastifyCors, {
      // a merchant-only route answers no cross-origin call: no browser holds a merchant's credentials
      delegator: (request, callback) => {
        // a merchant's server sends no Origin: nothing to look up on the API's busiest path
        if (!request.headers.origin) return callback(null, { origin: false });
        const method =
          request.method === "OPTIONS"
            ? String(request.headers["access-control-request-method"] ?? "")
            : request.method;
        const path = request.url.split("?")[0] ?? "";
        const open = browserRoutes.some((route) => route.method === method && route.path.test(path));
        callback(null, open ? cors : { origin: false });
      },
    });
    api.get("/openapi.json", { schema: { hide: true } }, async () => api.swagger());
    api.get("/health", { schema: { hide: true } }, async () => ({ ok: true }));
    await api.register(chainRoutes, { services, authenticator });
    await api.register(planRoutes, { services, authenticator });
    await api.register(subscriptionRoutes, { services, authenticator });
    await api.register(checkoutSessionRoutes, { services, authenticator });
    await api.register(hostedCheckoutRoutes, { prefix: "/checkout-sessions", services, authenticator });
    await api.register(apiKeyRoutes, { services, authenticator });
    await api.register(operationsRoutes, { services, authenticator });
    await api.register(brandingRoutes, { services, authenticator });
    await api.register(storefrontRoutes, { services, authenticator });
  });
  return app;
}

/** The authenticated caller of a route that required one. */
export function principalOf(request: { principal?: Principal }): Principal {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal;
}

/** A route's URL (`/integration/subscriptions/:contractAddress`) as a pattern of the paths it answers. */
function routePattern(url: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^${url
      .split("/")
      .map((part) => (part.startsWith(":") ? "[^/]+" : literal(part)))
      .join("/")}$`,
  );
}
