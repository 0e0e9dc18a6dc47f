import { createContext, type ReactNode, useContext, useEffect, useLayoutEffect, useMemo, useState } from "react";
import type { Branding } from "../api/types";
import { applyAccent, type SafeBranding, safeBranding } from "./safeBranding";

interface BrandingState {
  branding: SafeBranding;
  /** Shows another branding than the site's (a hosted checkout session's), or the site's again with null. */
  show(branding: Branding | null): void;
}

const BrandingContext = createContext<BrandingState>({ branding: safeBranding(null), show: () => {} });

/** The merchant's branding for every page below: the site's, unless a page shows its own. */
export function BrandingProvider({ site, children }: { site: Branding | null; children: ReactNode }) {
  const [shown, setShown] = useState<Branding | null>(null);
  const branding = useMemo(() => safeBranding(shown ?? site), [shown, site]);
  useLayoutEffect(() => applyAccent(branding.accentColor), [branding.accentColor]);
  const state = useMemo(() => ({ branding, show: setShown }), [branding]);
  return <BrandingContext.Provider value={state}>{children}</BrandingContext.Provider>;
}

/** The branding the page shows, each field checked. */
export function useBranding(): SafeBranding {
  return useContext(BrandingContext).branding;
}

/** Shows `branding` while the calling page is on screen (the hosted checkout's, which comes with its session). */
export function useShowBranding(branding: Branding | undefined): void {
  const { show } = useContext(BrandingContext);
  useEffect(() => {
    if (!branding) return;
    show(branding);
    return () => show(null);
  }, [branding, show]);
}
