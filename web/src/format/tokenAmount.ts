/*
 * Token amounts are bigint base units everywhere in the app; these helpers are the only place they turn into text
 * or back, exactly (no floating point on the way).
 */

/** A token as far as amounts are concerned. */
export interface TokenUnits {
  code: string;
  decimals: number;
}

/** `1234500n` with 6 decimals -> `"1.2345"`: exact, without trailing zeros, no grouping. */
export function toDecimalString(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/**
 * Base units as a number in the reader's locale (`"1 234,5"` in Russian), exact to the last decimal: Intl formats
 * a decimal string without converting it to a float.
 */
export function formatAmount(value: bigint, decimals: number, locale: string): string {
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: Math.min(decimals, 100) });
  return format.format(toDecimalString(value, decimals) as Intl.StringNumericLiteral);
}

/** Base units with the token's code: `"9.99 tUSDC"` (localised digits). */
export function formatTokenAmount(value: bigint, token: TokenUnits, locale: string): string {
  return `${formatAmount(value, token.decimals, locale)} ${token.code}`;
}

/** A decimal that cannot be read as an amount of a token; the message says why. */
export class AmountError extends Error {
  override name = "AmountError";
}

/** `"9.99"` with 6 decimals -> `9990000n`. Accepts plain decimals only (no sign, exponent or grouping). */
export function parseAmount(text: string, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match?.[1]) throw new AmountError(`"${text}" is not a decimal amount like 9.99`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) throw new AmountError(`"${text}" has more than ${decimals} decimals`);
  return BigInt(match[1] + fraction.padEnd(decimals, "0"));
}

/**
 * Reads the API's money strings, `"9.99 tUSDC"`, into base units of the token they name. The token must be the one
 * expected: a mismatch means the data and the token metadata disagree, which must not pass silently.
 */
export function parseMoney(text: string, token: TokenUnits): bigint {
  const match = /^(\S+)\s+(\S+)$/.exec(text.trim());
  if (!match?.[1] || match[2] !== token.code) {
    throw new AmountError(`"${text}" is not an amount of ${token.code}`);
  }
  return parseAmount(match[1], token.decimals);
}

/**
 * `value` rounded to `places` decimals, up or down, still in base units: for a figure shown as an estimate (a
 * network fee "up to"), never for an amount that moves.
 */
export function roundAmount(value: bigint, decimals: number, places: number, direction: "up" | "down"): bigint {
  if (places >= decimals || value < 0n) return value;
  const step = 10n ** BigInt(decimals - places);
  const down = (value / step) * step;
  return direction === "up" && down !== value ? down + step : down;
}
