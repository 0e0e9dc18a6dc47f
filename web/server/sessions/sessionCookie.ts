import type { FastifyReply, FastifyRequest } from "fastify";
import type { Session } from "./SessionStore.js";

/** The cookie carrying the session id, signed with WEB_SESSION_SECRET by @fastify/cookie. */
export const SESSION_COOKIE = "recur_session";

/** The session id the request's cookie carries, if its signature holds. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return undefined;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : undefined;
}

/**
 * Sets the session cookie: out of scripts' reach (HttpOnly), not sent with cross-site subrequests (SameSite=Lax),
 * and only over TLS when the site's public origin (`WEB_PUBLIC_ORIGIN`) is https, whatever the request claims.
 */
export function setSessionCookie(reply: FastifyReply, publicOrigin: string, session: Session): void {
  reply.setCookie(SESSION_COOKIE, session.id, {
    signed: true,
    httpOnly: true,
    sameSite: "lax",
    secure: isSecure(publicOrigin),
    path: "/",
    maxAge: Math.max(1, Math.floor((session.expiresAt - Date.now()) / 1000)),
  });
}

export function clearSessionCookie(reply: FastifyReply, publicOrigin: string): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    secure: isSecure(publicOrigin),
    path: "/",
  });
}

const isSecure = (publicOrigin: string) => new URL(publicOrigin).protocol === "https:";
