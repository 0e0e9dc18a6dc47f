import fastifyCookie from "@fastify/cookie";
import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { ApiError, frameworkApiError, notFound } from "../../server/http/ApiError.js";
import { answerClientError } from "../../server/http/answerClientError.js";
import type { WebConfig } from "./config/loadWebConfig.js";
import { guardWrites } from "./http/guardWrites.js";
import { handleErrors } from "./http/handleErrors.js";
import { securityHeaders } from "./http/securityHeaders.js";
import { serveApp } from "./http/serveApp.js";
import { ForwardedIdempotencyKeys } from "./platform/ForwardedIdempotencyKeys.js";
import { PlatformAccess } from "./platform/PlatformAccess.js";
import { adminApiKeyRoutes } from "./routes/adminApiKeyRoutes.js";
import { adminRoutes } from "./routes/adminRoutes.js";
import { authRoutes } from "./routes/authRoutes.js";
import { checkoutDraftRoutes, checkoutRoutes } from "./routes/checkoutRoutes.js";
import { configRoutes } from "./routes/configRoutes.js";
import { payerRoutes } from "./routes/payerRoutes.js";
import { planRoutes } from "./routes/planRoutes.js";
import type { WebRouteOptions } from "./routes/WebRouteOptions.js";
import { SessionStore } from "./sessions/SessionStore.js";
import { SignInVerifier } from "./sessions/SignInVerifier.js";

/** Every browser request to /api is small; a larger body is refused before it is read. */
const BODY_LIMIT = 16 * 1024;

/** A signed-in session lasts a working day; a sign-in must be completed within five minutes of its nonce. */
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const NONCE_TTL_MS = 5 * 60 * 1000;
const MAX_SESSIONS = 100_000;

/**
 * The merchant's web server: the signing proxy under `/api` (the platform's `/integration` API reduced to what a
 * signed-in payer may do, signed with the merchant's credentials that never leave this process) and, when
 * `config.distDir` is set, the built dApp. Builds the app without listening; `web/server/main.ts` decides where.
 */
export async function buildWebApp(
  config: WebConfig,
  deps: Partial<Omit<WebRouteOptions, "config">> = {},
): Promise<FastifyInstance> {
  const options: WebRouteOptions = {
    config,
    platform: deps.platform ?? new PlatformAccess(config),
    sessions:
      deps.sessions ??
      new SessionStore({ signedInTtlMs: SESSION_TTL_MS, nonceTtlMs: NONCE_TTL_MS, maxSessions: MAX_SESSIONS }),
    verifier: deps.verifier ?? new SignInVerifier(config.publicOrigin, config.rpcUrls),
    idempotency: deps.idempotency ?? new ForwardedIdempotencyKeys(config.sessionSecret),
  };
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    logger: {
      level: config.logLevel,
      // the session cookie is a bearer credential
      redact: ["req.headers.cookie", 'res.headers["set-cookie"]'],
    },
    frameworkErrors: (error, _request, reply) => {
      // what Fastify refuses before routing (a malformed URL, say) keeps the error shape
      const failure = frameworkApiError(error);
      (reply as FastifyReply).code(failure.status).send(failure.body());
    },
    // what Node cannot even parse as HTTP is answered as the platform API answers it
    clientErrorHandler: answerClientError,
  });
  handleErrors(app);

  // JSON only; an empty body (a POST that needs none) is no body
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    if (body === "") return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ApiError(400, "BadRequest", "The body is not valid JSON"), undefined);
    }
  });

  await app.register(fastifyCookie, { secret: config.sessionSecret });
  // the site's own pages need no CORS; other origins only when the operator lists them
  await app.register(fastifyCors, {
    origin: config.allowedOrigins,
    credentials: true,
    methods: ["GET", "POST", "PUT"],
    allowedHeaders: ["content-type", "x-idempotency-key"],
    maxAge: 600,
  });
  await app.register(fastifyRateLimit, { global: false });
  app.addHook("onSend", securityHeaders(config));

  await app.register(
    async (api) => {
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      api.addHook("onRequest", guardWrites(config.publicOrigin, config.allowedOrigins));
      // one limit per request (the plugin counts a request once), so sign-in and drafts have their own, stricter one:
      // a sign-in costs a signature check, and an RPC call for a contract wallet; a draft is a row on the platform
      await api.register(async (site) => {
        site.addHook("onRequest", site.rateLimit({ max: config.rateLimit.perMinute, timeWindow: "1 minute" }));
        await site.register(configRoutes, options);
        await site.register(planRoutes, options);
        await site.register(checkoutRoutes, { ...options, prefix: "/checkout" });
        await site.register(payerRoutes, { ...options, prefix: "/me" });
        await site.register(adminRoutes, { ...options, prefix: "/admin" });
        await site.register(adminApiKeyRoutes, { ...options, prefix: "/admin" });
      });
      await api.register(
        async (auth) => {
          auth.addHook("onRequest", auth.rateLimit({ max: config.rateLimit.authPerMinute, timeWindow: "1 minute" }));
          await auth.register(authRoutes, options);
        },
        { prefix: "/auth" },
      );
      await api.register(
        async (drafts) => {
          drafts.addHook(
            "onRequest",
            drafts.rateLimit({ max: config.rateLimit.authPerMinute, timeWindow: "1 minute" }),
          );
          await drafts.register(checkoutDraftRoutes, options);
        },
        { prefix: "/checkout" },
      );
    },
    { prefix: "/api" },
  );

  if (config.distDir) {
    await serveApp(app, config.distDir);
  } else {
    app.setNotFoundHandler((request) => {
      throw notFound(`No route ${request.method} ${request.url.split("?")[0]}`);
    });
  }
  return app;
}
