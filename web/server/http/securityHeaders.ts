import type { FastifyReply, FastifyRequest } from "fastify";
import { isLoopbackHost } from "../../../server/domain/brandingRules.js";
import { EMBED_PATH } from "../../../widget/src/protocol.js";
import type { WebConfig } from "../config/loadWebConfig.js";

/** Hosts the WalletConnect client talks to, allowed only when the operator configures a project id. */
const WALLETCONNECT_SOURCES = [
  "https://*.walletconnect.com",
  "https://*.walletconnect.org",
  "wss://*.walletconnect.com",
  "wss://*.walletconnect.org",
  "https://*.reown.com",
  "wss://*.reown.com",
];

/**
 * The Content-Security-Policy of every page: scripts only from this site (an injected script is what would let an
 * attacker ask the payer's wallet for an approval), and connections only to this site, the platform's public
 * routes and the configured RPC URLs (plus WalletConnect's relays when it is on). Images and fonts may also be
 * data: URIs, as wallets announce their icons that way; images may come from any https host too, for the merchant's
 * logo (which the merchant may change at any time, and which the pages load without a referrer), and from loopback
 * http when the site itself runs on loopback (local development).
 */
export function contentSecurityPolicy(
  config: Pick<WebConfig, "publicPlatformUrl" | "rpcUrls" | "walletConnectProjectId"> &
    Partial<Pick<WebConfig, "publicOrigin">>,
  /** Who may frame the page: nobody, except the embeddable widget's configured host pages. */
  frameAncestors: readonly string[] = [],
): string {
  const connect = new Set(["'self'", new URL(config.publicPlatformUrl).origin]);
  for (const url of config.rpcUrls.values()) connect.add(new URL(url).origin);
  if (config.walletConnectProjectId) for (const source of WALLETCONNECT_SOURCES) connect.add(source);
  const images = ["'self'", "data:", "blob:", "https:"];
  if (config.publicOrigin && isLoopbackHost(new URL(config.publicOrigin).hostname)) {
    images.push("http://127.0.0.1:*", "http://localhost:*");
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src ${images.join(" ")}`,
    "font-src 'self' data:",
    `connect-src ${[...connect].join(" ")}`,
    `frame-src ${config.walletConnectProjectId ? "https://verify.walletconnect.com https://verify.walletconnect.org" : "'none'"}`,
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(" ") : "'none'"}`,
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * `onSend` hook setting the headers a site handling wallets should send: the CSP above, no framing (clickjacking a
 * Subscribe button) except of the widget's page by the configured embed origins, no MIME sniffing, no full URLs in
 * Referer headers to other sites, and no caching of API answers (they belong to one session).
 */
export function securityHeaders(config: Parameters<typeof contentSecurityPolicy>[0] & Pick<WebConfig, "embedOrigins">) {
  const policy = contentSecurityPolicy(config);
  const embedPolicy = contentSecurityPolicy(config, config.embedOrigins);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const embed = config.embedOrigins.length > 0 && request.url.split("?")[0] === EMBED_PATH;
    reply.header("content-security-policy", embed ? embedPolicy : policy);
    // X-Frame-Options cannot name origins: the widget's page relies on frame-ancestors alone
    if (!embed) reply.header("x-frame-options", "DENY");
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "strict-origin-when-cross-origin");
    reply.header("cross-origin-opener-policy", "same-origin-allow-popups");
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
  };
}
