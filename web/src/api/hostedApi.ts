/*
 * The platform's public hosted-checkout routes, called from the payer's browser at the platform's own URL (it allows
 * the checkout page's origin by CORS). The session id is the only credential.
 */
import type { Address } from "viem";
import { requestJson } from "./requestJson";
import type { Draft, HostedSession, PermitSignature, Subscription } from "./types";

function sessionUrl(platformUrl: string, sessionId: string, path = ""): string {
  return `${platformUrl.replace(/\/+$/, "")}/checkout-sessions/${encodeURIComponent(sessionId)}${path}`;
}

export const getHostedSession = (platformUrl: string, sessionId: string) =>
  requestJson<HostedSession>(sessionUrl(platformUrl, sessionId));

export const createHostedDraft = (platformUrl: string, sessionId: string, payer: Address) =>
  requestJson<Draft>(sessionUrl(platformUrl, sessionId, "/subscription"), { method: "POST", body: { payer } });

export const activateHostedDraft = (platformUrl: string, sessionId: string, permit?: PermitSignature) =>
  requestJson<Subscription>(sessionUrl(platformUrl, sessionId, "/activate"), {
    method: "POST",
    body: permit ? { permit } : {},
  });
