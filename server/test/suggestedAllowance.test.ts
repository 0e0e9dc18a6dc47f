import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { suggestedAllowance } from "../domain/suggestedAllowance.js";

describe("suggested allowance", { timeout: 60_000 }, () => {
  it("asks for the periods left, up to twelve of them", () => {
    assert.equal(suggestedAllowance(9_990_000n, 1), 9_990_000n);
    assert.equal(suggestedAllowance(9_990_000n, 3), 29_970_000n);
    assert.equal(suggestedAllowance(9_990_000n, 12), 119_880_000n);
    assert.equal(suggestedAllowance(9_990_000n, 13), 119_880_000n, "a thirteenth period is not asked for");
    assert.equal(suggestedAllowance(9_990_000n, 1_000), 119_880_000n);
  });

  it("stays exact for amounts far beyond a float's precision", () => {
    const amount = 2n ** 200n + 1n;
    assert.equal(suggestedAllowance(amount, 12), 2n ** 200n * 12n + 12n);
  });
});
