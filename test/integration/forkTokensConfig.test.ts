import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseForkTokens } from "../helpers/startUpstreamChain.js";

const TOKEN = "0x6B175474E89094C44Da98b954EedeAC495271d0F";
const WHALE = "0x000000000000000000000000000000000000dEaD";

describe("RECUR_FORK_TOKENS, naming the real tokens the fork tests use", { timeout: 120_000 }, () => {
  it("reads one token and whale per kind", () => {
    const tokens = parseForkTokens(`standard=${TOKEN}@${WHALE}, usdtLike=${TOKEN}@${WHALE},permit=${TOKEN}@${WHALE}`);
    assert.deepEqual(tokens.usdtLike, { address: TOKEN, whale: WHALE });
  });

  it("says what is missing or malformed, with the expected shape", () => {
    assert.throws(() => parseForkTokens(undefined), /RECUR_FORK_TOKENS must be too, as standard=0xToken@0xWhale/);
    assert.throws(() => parseForkTokens(`standard=${TOKEN}@${WHALE}`), /has no "usdtLike" token/);
    assert.throws(() => parseForkTokens(`standard=${TOKEN}`), /cannot read "standard=0x6B17/);
  });
});
