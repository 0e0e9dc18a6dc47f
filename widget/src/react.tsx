import { useEffect, useRef } from "react";
import { mountRecurWidget, type RecurWidgetOptions } from "./mountRecurWidget.js";

export type { SubscribedEvent, WidgetLanguage } from "./mountRecurWidget.js";

export interface RecurWidgetProps extends RecurWidgetOptions {
  className?: string;
}

/**
 * The widget as a React component: `<RecurWidget site="https://pay.shop.example" token={token} />`. A new `site`,
 * `token` or `lang` opens it again; new callbacks are used without reopening it.
 */
export function RecurWidget({ site, token, lang, title, refreshToken, onSubscribed, className }: RecurWidgetProps) {
  const container = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ refreshToken, onSubscribed });
  callbacks.current = { refreshToken, onSubscribed };
  useEffect(() => {
    if (!container.current) return;
    const widget = mountRecurWidget(container.current, {
      site,
      token,
      ...(lang ? { lang } : {}),
      ...(title ? { title } : {}),
      refreshToken: () => {
        const refresh = callbacks.current.refreshToken;
        return refresh ? refresh() : Promise.reject(new Error("no refreshToken given"));
      },
      onSubscribed: (event) => callbacks.current.onSubscribed?.(event),
    });
    return () => widget.destroy();
  }, [site, token, lang, title]);
  return <div ref={container} className={className} />;
}
