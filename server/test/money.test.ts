import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ChainRegistry } from "../chain/ChainRegistry.js";
import { formatMoney, MAX_AMOUNT, MoneyError, parseMoney } from "../domain/money.js";

const token = (code: string, decimals: number) => ({
  code,
  address: "0x0000000000000000000000000000000000000001" as const,
  decimals,
  permit: false,
  permitKind: null,
  approveZeroFirst: false,
  feeOnTransfer: false,
});
const registry = new ChainRegistry([
  {
    chainId: 1,
    name: "test",
    rpcUrl: "http://127.0.0.1:1",
    confirmations: 1,
    factory: "0x0000000000000000000000000000000000000002",
    tokens: [token("USDC", 6), token("WETH", 18), token("NODEC", 0)],
  },
]);

describe("money strings", { timeout: 120_000 }, () => {
  it('reads "9.99 USDC" as exact base units', () => {
    assert.equal(parseMoney("9.99 USDC", registry).amount, 9_990_000n);
    assert.equal(parseMoney("0.000000000000000001 WETH", registry).amount, 1n);
    assert.equal(parseMoney("12 NODEC", registry).amount, 12n);
    assert.equal(parseMoney("  1.5   USDC ", registry).amount, 1_500_000n);
  });

  it("refuses what is not an exact positive amount of a known token, saying why", () => {
    const cases: [string, RegExp][] = [
      ["9.999 DOGE", /unknown token "DOGE": use one of USDC, WETH, NODEC/],
      ["9.9999999 USDC", /USDC has 6 decimals; "9.9999999 USDC" has 7/],
      ["0 USDC", /more than zero/],
      ["0.000000 USDC", /more than zero/],
      ["-1 USDC", /not an amount/],
      ["1e6 USDC", /not an amount/],
      ["1,000 USDC", /not an amount/],
      ["1.USDC", /not an amount/],
      [".5 USDC", /not an amount/],
      ["USDC", /not an amount/],
      ["", /not an amount/],
      [`${MAX_AMOUNT + 1n} NODEC`, /more than a subscription can carry/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseMoney(text, registry),
        (error) => error instanceof MoneyError && message.test(error.message),
        text,
      );
    }
  });

  it("writes base units exactly, without trailing zeros", () => {
    assert.equal(formatMoney(9_990_000n, token("USDC", 6)), "9.99 USDC");
    assert.equal(formatMoney(10_000_000n, token("USDC", 6)), "10 USDC");
    assert.equal(formatMoney(1n, token("WETH", 18)), "0.000000000000000001 WETH");
    assert.equal(formatMoney(7n, token("NODEC", 0)), "7 NODEC");
  });

  it("reads back exactly what it writes, for every amount and token", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT }), fc.constantFrom("USDC", "WETH", "NODEC"), (amount, code) => {
        const text = formatMoney(amount, registry.token(code)?.token ?? token(code, 0));
        assert.equal(parseMoney(text, registry).amount, amount);
      }),
      { numRuns: 500 },
    );
  });
});
