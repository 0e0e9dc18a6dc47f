import {
  ACCENT_MIN_CONTRAST,
  ACCENT_PATTERN,
  contrastRatio,
  logoUrlProblem,
  supportUrlProblem,
} from "../../../server/domain/brandingRules.js";
import type { Branding } from "../api/types";

/** The branding a page may use: each field checked again here, and null when it does not pass. */
export interface SafeBranding {
  displayName: string | null;
  logoUrl: string | null;
  accentColor: string | null;
  supportUrl: string | null;
}

const NONE: SafeBranding = { displayName: null, logoUrl: null, accentColor: null, supportUrl: null };

/**
 * `branding` as the page may use it. The platform checked it when it was set; it is checked again here because
 * the page must never load a script URL as a logo or link, or let a "colour" carry CSS, whatever the answer
 * it received says.
 */
export function safeBranding(branding: Branding | null | undefined): SafeBranding {
  if (!branding) return NONE;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  const displayName = text(branding.displayName)?.trim() || null;
  const logoUrl = text(branding.logoUrl);
  const accentColor = text(branding.accentColor);
  const supportUrl = text(branding.supportUrl);
  return {
    displayName,
    logoUrl: logoUrl !== null && logoUrlProblem(logoUrl) === undefined ? logoUrl : null,
    accentColor: accentColor !== null && isSafeAccent(accentColor) ? accentColor.toLowerCase() : null,
    supportUrl: supportUrl !== null && supportUrlProblem(supportUrl) === undefined ? supportUrl : null,
  };
}

/** `#rrggbb` and nothing else, dark enough for the white text of buttons. */
export function isSafeAccent(value: string): boolean {
  return ACCENT_PATTERN.test(value) && contrastRatio(value, "#ffffff") >= ACCENT_MIN_CONTRAST;
}

/** `accent` mixed into white: `share` 0 is white, 1 the accent. */
function tint(accent: string, share: number): string {
  const channel = (offset: number) => {
    const value = Number.parseInt(accent.slice(offset, offset + 2), 16);
    return Math.round(255 + (value - 255) * share)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/**
 * The soft background that goes with `accent` (the terms box, status badges): the palest tint on which the accent
 * as text still has the contrast it has on white for buttons, down to white itself.
 */
export function accentSoft(accent: string): string {
  for (const share of [0.08, 0.06, 0.04, 0.02]) {
    const soft = tint(accent, share);
    if (contrastRatio(accent, soft) >= ACCENT_MIN_CONTRAST) return soft;
  }
  return "#ffffff";
}

/**
 * Makes `accent` the page's `--color-accent` (and its soft tint), or puts the site's own back with null. Only a
 * colour that passes {@link isSafeAccent} is ever written into a style.
 */
export function applyAccent(accent: string | null, root: HTMLElement = document.documentElement): void {
  if (accent !== null && isSafeAccent(accent)) {
    root.style.setProperty("--color-accent", accent);
    root.style.setProperty("--color-accent-soft", accentSoft(accent));
  } else {
    root.style.removeProperty("--color-accent");
    root.style.removeProperty("--color-accent-soft");
  }
}

/** The site's own accent (styles.css), for the wallet dialog when the merchant has none. */
export const SITE_ACCENT = "#2151d1";
