import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import RecurModule from "../../ignition/modules/Recur.js";
import type { Connection } from "../helpers/deployRecur.js";
import { hookTimeouts } from "../support/hookTimeouts.js";

/** Where CreateX, the deterministic deployer Ignition's create2 strategy uses, lives on every chain that has it. */
const CREATEX = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";

describe("deployment through the Ignition module", { timeout: 300_000 }, () => {
  let local: Connection;
  let other: Connection;
  before(async () => {
    local = await network.create({ override: { chainId: 31337 } });
    other = await network.create({ override: { chainId: 8453 } });
  }, hookTimeouts.starting);
  after(async () => {
    await local.close();
    await other.close();
  }, hookTimeouts.stopping);

  it("puts the factory at the same address on chains with different ids", async () => {
    const localClient = await local.viem.getPublicClient();
    const otherClient = await other.viem.getPublicClient();
    assert.notEqual(await localClient.getChainId(), await otherClient.getChainId());

    const { factory: onLocal } = await local.ignition.deploy(RecurModule, { strategy: "create2" });
    // Ignition deploys CreateX itself only on local chains; elsewhere it is already there, as it is on real networks
    const createX = await localClient.getCode({ address: CREATEX });
    assert.ok(createX);
    await other.networkHelpers.setCode(CREATEX, createX);
    const { factory: onOther } = await other.ignition.deploy(RecurModule, { strategy: "create2" });

    assert.equal(onOther.address, onLocal.address);
    assert.equal(await onOther.read.IMPLEMENTATION(), await onLocal.read.IMPLEMENTATION());
  });
});
