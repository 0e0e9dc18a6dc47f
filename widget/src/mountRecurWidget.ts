import {
  type HostMessage,
  isFrameMessage,
  MESSAGE_SOURCE,
  type SubscribedEvent,
  type WidgetLanguage,
  widgetUrl,
} from "./protocol.js";

export type { SubscribedEvent, WidgetLanguage } from "./protocol.js";

/** How a merchant's page opens the widget. */
export interface RecurWidgetOptions {
  /** The merchant's Recur site that serves the widget (its origin, e.g. `https://pay.shop.example`). */
  site: string;
  /**
   * A customer token the merchant's backend created for the signed-in customer
   * (`POST /integration/subscriptions/create-customer-token`): the widget's only credential.
   */
  token: string;
  /** A new token when the widget's has expired (tokens are short-lived): from the merchant's backend again. */
  refreshToken?: () => Promise<string>;
  /** The widget's language; the payer's browser's otherwise. */
  lang?: WidgetLanguage;
  /** Called once a subscription started in the widget is Active (a `recur-subscribed` DOM event is sent too). */
  onSubscribed?: (event: SubscribedEvent) => void;
  /** The frame's accessible name. */
  title?: string;
}

/** What `mountRecurWidget` hands back. */
export interface RecurWidgetHandle {
  /** The widget's frame. */
  frame: HTMLIFrameElement;
  /** Removes the frame and stops listening. */
  destroy(): void;
}

/** The frame is never shorter than this, so that the wallet's dialog fits inside it. */
export const MIN_HEIGHT_PX = 600;
/** Nor taller than this, whatever its content says. */
const MAX_HEIGHT_PX = 10_000;

/**
 * Opens the widget in `container`: an iframe of the merchant's Recur site (isolated from this page: its own origin,
 * its own styles), which shows the customer's plans and subscriptions and talks to the platform with the customer
 * token alone. The frame grows with its content; messages from anything but the frame's window and origin are
 * ignored.
 */
export function mountRecurWidget(container: HTMLElement, options: RecurWidgetOptions): RecurWidgetHandle {
  const siteOrigin = new URL(options.site).origin;
  const frame = document.createElement("iframe");
  frame.src = widgetUrl(siteOrigin, {
    token: options.token,
    host: window.location.origin,
    ...(options.lang ? { lang: options.lang } : {}),
  });
  frame.title = options.title ?? "Subscriptions";
  frame.allow = "clipboard-write";
  frame.referrerPolicy = "strict-origin";
  Object.assign(frame.style, {
    display: "block",
    width: "100%",
    border: "0",
    height: `${MIN_HEIGHT_PX}px`,
    colorScheme: "normal",
  });

  const send = (message: HostMessage) => frame.contentWindow?.postMessage(message, siteOrigin);
  const onMessage = (event: MessageEvent) => {
    if (event.source !== frame.contentWindow || event.origin !== siteOrigin || !isFrameMessage(event.data)) return;
    const message = event.data;
    if (message.type === "resize") {
      const height = Math.min(Math.max(Math.ceil(message.height), MIN_HEIGHT_PX), MAX_HEIGHT_PX);
      frame.style.height = `${height}px`;
    } else if (message.type === "token-expired") {
      options
        .refreshToken?.()
        .then((token) => send({ source: MESSAGE_SOURCE, type: "token", token }))
        // the widget says in its own words that it needs a reload
        .catch(() => undefined);
    } else {
      const detail: SubscribedEvent = {
        contractAddress: message.contractAddress,
        planId: message.planId,
        status: message.status,
      };
      options.onSubscribed?.(detail);
      container.dispatchEvent(new CustomEvent("recur-subscribed", { detail, bubbles: true }));
    }
  };
  window.addEventListener("message", onMessage);
  container.append(frame);
  return {
    frame,
    destroy() {
      window.removeEventListener("message", onMessage);
      frame.remove();
    },
  };
}
