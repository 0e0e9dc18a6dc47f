import { useSyncExternalStore } from "react";

/*
 * Client-side navigation for the app's handful of pages (/, /checkout/<id>, /portal, /admin): the History API and
 * one event, without a router library. The web server answers every page path with the app.
 */

const NAVIGATED = "recur:navigated";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

/** The current path and query string, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams };
}

/** Goes to `href` inside the app (no reload); `replace` keeps the history entry count. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new Event(NAVIGATED));
}
