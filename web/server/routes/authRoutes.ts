import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { unauthorized } from "../../../server/http/ApiError.js";
import { clearSessionCookie, sessionIdOf, setSessionCookie } from "../sessions/sessionCookie.js";
import { requireWallet, walletSessionOf } from "./requireWallet.js";
import type { WebRouteOptions } from "./WebRouteOptions.js";

const signedIn = z.object({ address: z.string(), admin: z.boolean() });

/**
 * Sign-In with Ethereum (EIP-4361): a single-use nonce bound to this browser's session cookie, the signed message
 * checked against it, and a new session for the signer. Registered under /api/auth, where rate limits are stricter.
 */
export const authRoutes: FastifyPluginAsyncZod<WebRouteOptions> = async (app, { sessions, verifier, config }) => {
  app.get("/nonce", { schema: { response: { 200: z.object({ nonce: z.string() }) } } }, async (request, reply) => {
    const existing = sessions.get(sessionIdOf(request));
    if (existing) return { nonce: sessions.issueNonce(existing) };
    const { session, nonce } = sessions.startSignIn();
    setSessionCookie(reply, config.publicOrigin, session);
    return { nonce };
  });

  app.post(
    "/verify",
    {
      schema: {
        body: z.strictObject({
          message: z.string().min(1).max(4_096).describe("The EIP-4361 message the wallet signed"),
          signature: z
            .string()
            .regex(/^0x[0-9a-fA-F]+$/, { error: "must be the wallet's 0x-prefixed hex signature" })
            .max(20_000)
            .transform((value) => value as `0x${string}`),
        }),
        response: { 200: signedIn },
      },
    },
    async (request, reply) => {
      const session = sessions.get(sessionIdOf(request));
      const nonce = sessions.takeNonce(session);
      if (!session || nonce === undefined) {
        throw unauthorized(
          "No sign-in is in progress in this browser, or its nonce expired or was used: get a nonce from GET /api/auth/nonce and sign a message with it within 5 minutes",
        );
      }
      const { address, expiresAt } = await verifier.verify({ ...request.body, nonce });
      const admin = config.adminAddresses.includes(address);
      const next = sessions.signIn(session, { address, admin }, expiresAt);
      setSessionCookie(reply, config.publicOrigin, next);
      request.log.info({ address, admin }, "signed in");
      return { address, admin };
    },
  );

  app.get(
    "/session",
    { preHandler: requireWallet(sessions), schema: { response: { 200: signedIn } } },
    async (request) => walletSessionOf(request).wallet,
  );

  app.post("/logout", async (request, reply) => {
    const session = sessions.get(sessionIdOf(request));
    if (session) sessions.end(session);
    clearSessionCookie(reply, config.publicOrigin);
    return reply.code(204).send();
  });
};
