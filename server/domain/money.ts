import type { ChainConfig, ChainRegistry, TokenConfig } from "../chain/ChainRegistry.js";

/** The largest amount a subscription can carry: its `amount` term is a uint128. */
export const MAX_AMOUNT = 2n ** 128n - 1n;

/** A money string that cannot be read; the message says what is wrong and what is expected. */
export class MoneyError extends Error {
  override name = "MoneyError";
}

/**
 * Reads `"9.99 USDC"`: a positive decimal amount (no sign, exponent or grouping; at most as many decimals as the
 * token has) and a token code from the registry. Returns the amount in token base units.
 */
export function parseMoney(
  text: string,
  registry: ChainRegistry,
): { amount: bigint; token: TokenConfig; chain: ChainConfig } {
  const match = /^(\d+)(?:\.(\d+))?\s+(\S+)$/.exec(text.trim());
  if (!match?.[1] || !match[3]) {
    throw new MoneyError(`"${text}" is not an amount: write it as a decimal number and a token code, like "9.99 USDC"`);
  }
  const [, whole, fraction = "", code] = match;
  const found = registry.token(code);
  if (!found) {
    throw new MoneyError(`unknown token "${code}": use one of ${registry.tokenCodes().join(", ")}`);
  }
  const { token } = found;
  if (fraction.length > token.decimals) {
    throw new MoneyError(`${code} has ${token.decimals} decimals; "${text}" has ${fraction.length}`);
  }
  const amount = BigInt(whole + fraction.padEnd(token.decimals, "0"));
  if (amount === 0n) throw new MoneyError(`the amount must be more than zero, not "${text}"`);
  if (amount > MAX_AMOUNT) throw new MoneyError(`"${text}" is more than a subscription can carry`);
  return { amount, ...found };
}

/** Writes base units as `"9.99 USDC"`: exact, without trailing zeros or an exponent. */
export function formatMoney(amount: bigint, token: Pick<TokenConfig, "code" | "decimals">): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(token.decimals + 1, "0");
  const whole = digits.slice(0, digits.length - token.decimals);
  const fraction = digits.slice(digits.length - token.decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""} ${token.code}`;
}
