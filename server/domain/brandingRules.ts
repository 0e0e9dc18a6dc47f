/*
 * The rules a merchant's branding must meet, free of I/O and dependencies: the platform checks them when the
 * branding is set, and the payer's browser checks the logo and the colour again before it uses them (a page must
 * never load a script URL as a logo, or let a colour carry CSS).
 */

/** The longest display name: a page header's worth. */
export const DISPLAY_NAME_MAX = 80;

/** The longest logo or support URL. */
export const BRANDING_URL_MAX = 2_048;

/** The contrast white text must have on the accent colour (WCAG AA for normal text): buttons are white on it. */
export const ACCENT_MIN_CONTRAST = 4.5;

/** An accent colour as the API takes it and the browser accepts it: `#rrggbb`. */
export const ACCENT_PATTERN = /^#[0-9a-f]{6}$/i;

/** Control characters (C0, DEL, C1) anywhere in `value`. */
function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/** Whether `hostname` (as `URL` gives it) is this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** What is wrong with `value` as a display name (after trimming), or undefined when nothing is. */
export function displayNameProblem(value: string): string | undefined {
  const name = value.trim();
  if (name.length === 0) return "must not be empty";
  if (name.length > DISPLAY_NAME_MAX) return `must be at most ${DISPLAY_NAME_MAX} characters (it has ${name.length})`;
  if (hasControlCharacters(name)) return "must not contain control characters (line breaks, tabs, ...)";
  if (!name.isWellFormed()) return "must be well-formed Unicode (no lone surrogates)";
  return undefined;
}

/**
 * What is wrong with `value` as a logo URL, or undefined when nothing is: an https URL (an http one only on a
 * loopback host, for local development), without credentials, at most {@link BRANDING_URL_MAX} characters.
 */
export function logoUrlProblem(value: string): string | undefined {
  if (value.length > BRANDING_URL_MAX) return `must be at most ${BRANDING_URL_MAX} characters`;
  if (hasControlCharacters(value)) return "must not contain control characters";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute https URL, e.g. https://shop.example/logo.png";
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return "must be https (http only for localhost or 127.0.0.1, for local development)";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `must be an https URL, not ${url.protocol}`;
  }
  if (url.username || url.password) return "must not carry a user name or password";
  return undefined;
}

/** What is wrong with `value` as a support link, or undefined: an https URL or a `mailto:` address. */
export function supportUrlProblem(value: string): string | undefined {
  if (value.length > BRANDING_URL_MAX) return `must be at most ${BRANDING_URL_MAX} characters`;
  if (hasControlCharacters(value)) return "must not contain control characters";
  if (/^mailto:/i.test(value)) {
    let address: string;
    try {
      address = decodeURIComponent(value.slice("mailto:".length).split("?")[0] ?? "");
    } catch {
      address = "";
    }
    return /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(address)
      ? undefined
      : "must be mailto: and an email address, e.g. mailto:support@shop.example";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an https URL or mailto: and an email address";
  }
  if (url.protocol !== "https:") return `must be an https URL or a mailto: address, not ${url.protocol}`;
  if (url.username || url.password) return "must not carry a user name or password";
  return undefined;
}

/** The relative luminance of an sRGB `#rrggbb` colour (WCAG 2). */
export function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * What is wrong with `value` as an accent colour, or undefined: `#rrggbb`, dark enough that white text on it has a
 * contrast of at least {@link ACCENT_MIN_CONTRAST}:1. The ratio in the message is rounded down, so that a refused
 * colour never reads as if it met the bar.
 */
export function accentColorProblem(value: string): string | undefined {
  if (!ACCENT_PATTERN.test(value)) return "must be a colour as #rrggbb, e.g. #2151d1";
  const ratio = contrastRatio(value, "#ffffff");
  if (ratio < ACCENT_MIN_CONTRAST) {
    return (
      `has a contrast of ${(Math.floor(ratio * 100) / 100).toFixed(2)}:1 with white text, below the ` +
      `${ACCENT_MIN_CONTRAST}:1 buttons need: choose a darker shade`
    );
  }
  return undefined;
}
