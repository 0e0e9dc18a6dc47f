import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

describe("npm run demo", () => {
  it("runs a whole subscription without a browser: draft, approval, activation, charges, signed webhooks", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--periods", "2"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
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
