import { type Browser, chromium } from "playwright-core";
import { CHROMIUM, ensureSystemPackages } from "../../../stack/ensureSystemPackages.js";

/** Switches that keep a headless chromium from calling home (updates, sync, background fetches). */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's chromium, headless (installed with apt first when missing); Playwright never downloads a browser here. */
export function launchChromium(): Promise<Browser> {
  ensureSystemPackages([CHROMIUM]);
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
}
