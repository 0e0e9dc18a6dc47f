import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startProcess } from "../startProcess.js";

describe("npm run demo", { timeout: 600_000 }, () => {
  it("runs a whole subscription without a browser: draft, approval, activation, charges, signed webhooks", async () => {
    // stopped, with the chain and servers it started, if it has not ended after eight minutes
    const child = startProcess(process.execPath, ["--import", "tsx", "stack/demo.ts", "--periods", "2"]);
    const { code } = await child.waitForExit(480_000);
    const output = child.output();
    assert.equal(code, 0, output);
    assert.match(output, /contract address, known before it is deployed: 0x[0-9a-fA-F]{40}/);
    assert.match(output, /Active; charge 1 of 24 made/);
    assert.match(output, /charge 3 of 24 made/);
    assert.match(output, /webhook {2}ChargeSucceeded \(signature valid\)/);
    assert.match(
      output,
      /Done: 3 charges succeeded, the payer paid 0\.3 tUSD, \d+ webhooks received, all signatures valid\./,
    );
    assert.doesNotMatch(output, /INVALID/);
  });
});
