/*
 * The widget page's side of the conversation with the page that embeds it (widget/src/protocol.ts): its height,
 * a new subscription, and a new customer token when the platform no longer takes the one it was opened with.
 */
import { type FrameMessage, isHostMessage, MESSAGE_SOURCE } from "../../../widget/src/protocol";
import type { TokenSource } from "../api/widgetApi";
import { PayerFacingError } from "../errors/PayerFacingError";

/** How long the widget waits for the embedding page to send a new token. */
const RENEW_TIMEOUT_MS = 15_000;

/**
 * The embedding page's origin as the fragment names it, when this page is framed and it is a plain origin. Messages
 * are posted to that origin only: were it a lie, they would not be delivered (and which pages may frame this one at
 * all is the site's configuration: its `frame-ancestors`).
 */
export function hostOrigin(named: string | undefined): string | null {
  if (!named || window.parent === window) return null;
  try {
    return new URL(named).origin === named ? named : null;
  } catch {
    return null;
  }
}

type Message = FrameMessage extends infer M ? (M extends unknown ? Omit<M, "source"> : never) : never;

/** Tells the embedding page `message`; nothing when the page is not framed. */
export function postToHost(host: string | null, message: Message): void {
  if (host) window.parent.postMessage({ source: MESSAGE_SOURCE, ...message }, host);
}

/**
 * The customer token the widget was opened with; a renewal asks the embedding page for a new one (which only the
 * page itself, from its window and origin, can answer), or fails with `expired` in the payer's words.
 */
export function frameTokenSource(initial: string, host: string | null, expired: () => string): TokenSource {
  let token = initial;
  let pending: Promise<string> | null = null;
  return {
    current: () => token,
    renew() {
      if (!host) return Promise.reject(new PayerFacingError(expired()));
      pending ??= new Promise<string>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          window.removeEventListener("message", onMessage);
          pending = null;
        };
        const timer = setTimeout(() => {
          done();
          reject(new PayerFacingError(expired()));
        }, RENEW_TIMEOUT_MS);
        const onMessage = (event: MessageEvent) => {
          if (event.source !== window.parent || event.origin !== host || !isHostMessage(event.data)) return;
          done();
          token = event.data.token;
          resolve(token);
        };
        window.addEventListener("message", onMessage);
        postToHost(host, { type: "token-expired" });
      });
      return pending;
    },
  };
}

/** Keeps the embedding page's frame as tall as this page's content. */
export function watchHeight(host: string | null): () => void {
  if (!host) return () => undefined;
  let last = 0;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    postToHost(host, { type: "resize", height });
  });
  observer.observe(document.documentElement);
  return () => observer.disconnect();
}
