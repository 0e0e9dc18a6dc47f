/*
 * What the widget's frame (the merchant's Recur site at /embed) and the page embedding it say to each other by
 * postMessage. Nothing secret travels this way but a new customer token, which the page sends only to the widget's
 * own origin; each side checks the other's window and origin before believing a message.
 */

/** Every message of the widget carries this, so that other messages a page receives are left alone. */
export const MESSAGE_SOURCE = "recur-widget";

/** The path of the widget's page on the merchant's Recur site. */
export const EMBED_PATH = "/embed";

/** A subscription the payer started in the widget, once the platform has it Active. */
export interface SubscribedEvent {
  contractAddress: string;
  planId: string;
  status: string;
}

/** From the widget's frame to the page: its content's height, a token that no longer works, a new subscription. */
export type FrameMessage =
  | { source: typeof MESSAGE_SOURCE; type: "resize"; height: number }
  | { source: typeof MESSAGE_SOURCE; type: "token-expired" }
  | ({ source: typeof MESSAGE_SOURCE; type: "subscribed" } & SubscribedEvent);

/** From the page to the widget's frame: a new customer token, in answer to "token-expired". */
export type HostMessage = { source: typeof MESSAGE_SOURCE; type: "token"; token: string };

const isObject = (data: unknown): data is Record<string, unknown> => typeof data === "object" && data !== null;

export function isFrameMessage(data: unknown): data is FrameMessage {
  if (!isObject(data) || data.source !== MESSAGE_SOURCE) return false;
  if (data.type === "resize") return typeof data.height === "number" && Number.isFinite(data.height);
  if (data.type === "token-expired") return true;
  return (
    data.type === "subscribed" &&
    typeof data.contractAddress === "string" &&
    typeof data.planId === "string" &&
    typeof data.status === "string"
  );
}

export function isHostMessage(data: unknown): data is HostMessage {
  return isObject(data) && data.source === MESSAGE_SOURCE && data.type === "token" && typeof data.token === "string";
}

/** The languages the widget speaks. */
export type WidgetLanguage = "en" | "es" | "ru";

/**
 * The widget page's URL on `site`: the language in the query, the token and the embedding page's origin in the
 * fragment, which browsers never send to a server (so the token is in no request line and no access log).
 */
export function widgetUrl(site: string, { token, host, lang }: { token: string; host: string; lang?: WidgetLanguage }) {
  const url = new URL(EMBED_PATH, site);
  if (lang) url.searchParams.set("lang", lang);
  url.hash = new URLSearchParams({ token, host }).toString();
  return url.toString();
}

/** What the widget's page reads of its own fragment; `undefined` for a field it lacks. */
export function readWidgetFragment(hash: string): { token?: string; host?: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  return { token: params.get("token") ?? undefined, host: params.get("host") ?? undefined };
}
