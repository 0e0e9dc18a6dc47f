import { describe, expect, it } from "vitest";
import {
  AmountError,
  formatAmount,
  formatTokenAmount,
  parseAmount,
  parseMoney,
  roundAmount,
  toDecimalString,
} from "./tokenAmount";

describe("token amounts", () => {
  it("turns base units into exact decimals, without trailing zeros", () => {
    expect(toDecimalString(9_990_000n, 6)).toBe("9.99");
    expect(toDecimalString(1n, 18)).toBe("0.000000000000000001");
    expect(toDecimalString(5_000_000n, 6)).toBe("5");
    expect(toDecimalString(0n, 6)).toBe("0");
    expect(toDecimalString(123n, 0)).toBe("123");
  });

  it("formats in the reader's locale without losing a digit to floating point", () => {
    const large = 123_456_789_012_345_678_901_234_567n;
    expect(formatAmount(large, 18, "en")).toBe("123,456,789.012345678901234567");
    expect(formatAmount(1_234_500_000n, 6, "ru")).toBe("1\u00a0234,5");
    expect(formatAmount(1_234_500_000n, 6, "es")).toBe("1234,5");
    expect(formatAmount(12_345_500_000n, 6, "es")).toBe("12.345,5");
    expect(formatTokenAmount(2_500_000n, { code: "tUSDT", decimals: 6 }, "en")).toBe("2.5 tUSDT");
  });

  it("reads the API's money strings back into base units of the named token only", () => {
    const usdc = { code: "tUSDC", decimals: 6 };
    expect(parseMoney("9.99 tUSDC", usdc)).toBe(9_990_000n);
    expect(parseAmount("0.000000000000000001", 18)).toBe(1n);
    expect(() => parseMoney("9.99 tUSDT", usdc)).toThrow(AmountError);
    expect(() => parseAmount("1.0000001", 6)).toThrow(/more than 6 decimals/);
    expect(() => parseAmount("-1", 6)).toThrow(/not a decimal amount/);
    expect(() => parseAmount("1e6", 6)).toThrow(AmountError);
  });

  it("rounds an estimate to a few decimals, up for what is needed and down for what is held", () => {
    // 0.0001064 ETH in wei, to 6 decimals
    expect(roundAmount(106_400_000_000_000n, 18, 6, "up")).toBe(107_000_000_000_000n);
    expect(roundAmount(106_400_000_000_000n, 18, 6, "down")).toBe(106_000_000_000_000n);
    expect(roundAmount(106_000_000_000_000n, 18, 6, "up")).toBe(106_000_000_000_000n);
    // a dust balance is held as 0, a dust fee needed as the smallest step
    expect(roundAmount(1n, 18, 6, "down")).toBe(0n);
    expect(roundAmount(1n, 18, 6, "up")).toBe(1_000_000_000_000n);
    expect(roundAmount(1_234_567n, 6, 6, "up")).toBe(1_234_567n);
  });
});
