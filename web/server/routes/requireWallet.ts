import type { FastifyRequest } from "fastify";
import type { Address } from "viem";
import { forbidden, unauthorized } from "../../../server/http/ApiError.js";
import type { Session, SessionStore } from "../sessions/SessionStore.js";
import { sessionIdOf } from "../sessions/sessionCookie.js";

/** A session with a signed-in wallet. */
export type WalletSession = Session & { wallet: { address: Address; admin: boolean } };

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in session, on routes that require one. */
    walletSession?: WalletSession;
  }
}

const NOT_SIGNED_IN =
  "Not signed in: sign in with your wallet (GET /api/auth/nonce, then POST /api/auth/verify with the signed message)";

/** `preHandler` hook: a signed-in wallet, or 401. */
export function requireWallet(sessions: SessionStore) {
  return async (request: FastifyRequest) => {
    const session = sessions.get(sessionIdOf(request));
    if (!session?.wallet) throw unauthorized(NOT_SIGNED_IN);
    request.walletSession = session as WalletSession;
  };
}

/** `preHandler` hook: a signed-in wallet listed in WEB_ADMIN_ADDRESSES; 401 when not signed in, 403 for others. */
export function requireAdmin(sessions: SessionStore) {
  const signedIn = requireWallet(sessions);
  return async (request: FastifyRequest) => {
    await signedIn(request);
    const { wallet } = walletSessionOf(request);
    if (!wallet.admin) {
      throw forbidden(`${wallet.address} is not one of this merchant's admin wallets: sign in with an admin wallet`);
    }
  };
}

/** The signed-in session of a route guarded by {@link requireWallet} or {@link requireAdmin}. */
export function walletSessionOf(request: FastifyRequest): WalletSession {
  if (!request.walletSession) throw new Error("route reached without a signed-in session");
  return request.walletSession;
}
