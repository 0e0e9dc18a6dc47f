import "./styles.css";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { getSiteConfig } from "./api/siteApi";
import { applyAccent, safeBranding } from "./branding/safeBranding";
import { fetchCheckoutPlan, loadTerms, TermsPreview } from "./checkout/TermsPreview";
import { startI18n } from "./i18n/i18n";
import { pickLanguage } from "./i18n/pickLanguage";
import { rememberedLanguage } from "./i18n/rememberedLanguage";

async function start(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root");
  // the plan a checkout page sells is asked for at once, beside the configuration and the language
  const plan = fetchCheckoutPlan(window.location.pathname);
  const [site] = await Promise.all([
    getSiteConfig(),
    startI18n(pickLanguage(window.location.search, navigator.languages, rememberedLanguage())),
  ]);
  // the merchant's colour from the first paint, before the app (which keeps it up to date) has loaded
  applyAccent(safeBranding(site.branding).accentColor);
  const terms = loadTerms(window.location.pathname, site, plan);
  // the wallet libraries are most of the JavaScript: they load once the terms show (or cannot), so that parsing them
  // does not hold up what the payer reads first
  const App = lazy(async () => {
    await terms.catch(() => null);
    return { default: (await import("./App")).App };
  });
  createRoot(root).render(
    <StrictMode>
      <Suspense fallback={<TermsPreview terms={terms} />}>
        <App site={site} />
      </Suspense>
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  const root = document.getElementById("root");
  if (root) {
    root.setAttribute("role", "alert");
    root.textContent = `This page could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});
