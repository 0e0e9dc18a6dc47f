import "@rainbow-me/rainbowkit/styles.css";
import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { getSiteConfig } from "./api/siteApi";
import { startI18n } from "./i18n/i18n";
import { pickLanguage } from "./i18n/pickLanguage";

async function start(): Promise<void> {
  const root = document.getElementById("root");
  if (!root) throw new Error("index.html has no #root");
  const [site] = await Promise.all([
    getSiteConfig(),
    startI18n(pickLanguage(window.location.search, navigator.languages)),
  ]);
  createRoot(root).render(
    <StrictMode>
      <App site={site} />
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
