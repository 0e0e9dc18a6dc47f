/*
 * The widget as a script tag, for any page:
 *
 *   <div id="subscriptions"></div>
 *   <script src="https://pay.shop.example/recur-widget.js" data-token="ct_..." data-target="#subscriptions"
 *     data-token-url="/recur/customer-token" async></script>
 *
 * `data-token` opens it at once (in `data-target`, or right after the script); `data-token-url` is where a new token
 * is fetched (POST, this page's own cookies) when it expires; `data-lang` picks the language. Without `data-token`
 * nothing opens: call `RecurWidget.mount(element, { token, ... })` (the site defaults to the script's own).
 */
import { mountRecurWidget, type RecurWidgetOptions } from "./mountRecurWidget.js";

const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
const scriptSite = script ? new URL(script.src, window.location.href).origin : undefined;

type MountOptions = Omit<RecurWidgetOptions, "site"> & { site?: string };

const RecurWidget = {
  mount(container: HTMLElement, options: MountOptions) {
    const site = options.site ?? scriptSite;
    if (!site) throw new Error("RecurWidget.mount: give `site`, the merchant's Recur site that serves the widget");
    return mountRecurWidget(container, { ...options, site });
  },
};
(window as unknown as { RecurWidget: typeof RecurWidget }).RecurWidget = RecurWidget;

/** A new token from the page's own backend: `{ "token": "ct_..." }` in answer to a POST. */
async function fetchToken(url: string): Promise<string> {
  const response = await fetch(url, { method: "POST", credentials: "same-origin" });
  const body: unknown = await response.json();
  const token = (body as { token?: unknown } | null)?.token;
  if (!response.ok || typeof token !== "string") throw new Error(`${url} gave no token (HTTP ${response.status})`);
  return token;
}

const token = script?.dataset.token;
if (script && token) {
  const { target, tokenUrl, lang } = script.dataset;
  let container = target ? document.querySelector<HTMLElement>(target) : null;
  if (!container) {
    container = document.createElement("div");
    script.after(container);
  }
  RecurWidget.mount(container, {
    token,
    ...(tokenUrl ? { refreshToken: () => fetchToken(tokenUrl) } : {}),
    ...(lang === "en" || lang === "es" || lang === "ru" ? { lang } : {}),
  });
}
