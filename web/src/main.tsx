import "./styles.css";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { getSiteConfig } from "./api/siteApi";
import { TermsPreview } from "./checkout/TermsPreview";
import { startI18n } from "./i18n/i18n";
import { pickLanguage } from "./i18n/pickLanguage";

// the wallet libraries are most of the JavaScript: they load while the page already shows the plan's terms
const loadingApp = import("./App");
const App = lazy(() => loadingApp.then((module) => ({ default: module.App })));

async function start(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root");
  const [site] = await Promise.all([
    getSiteConfig(),
    startI18n(pickLanguage(window.location.search, navigator.languages)),
  ]);
  createRoot(root).render(
    <StrictMode>
      <Suspense fallback={<TermsPreview site={site} />}>
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
