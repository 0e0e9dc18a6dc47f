import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ChainAccess } from "../chain/ChainAccess.js";
import { localChain } from "../chain/localChain.js";
import { ConfigError, loadConfig } from "../config/loadConfig.js";
import { GasWalletKeyError, loadGasWalletKey } from "../worker/gasWalletKeys.js";

const KEY = "ab".repeat(32);

function refused(env: Record<string, string>, ...messages: RegExp[]) {
  assert.throws(
    () => loadConfig(env),
    (error) => error instanceof ConfigError && messages.every((message) => message.test(error.message)),
  );
}

describe("configuration", { timeout: 120_000 }, () => {
  it("runs on the embedded database and the local chain with nothing but a secret key", () => {
    const config = loadConfig({ RECUR_SECRET_KEY: KEY });
    assert.equal(config.database.kind, "pglite");
    assert.equal(config.http.host, "127.0.0.1");
    assert.equal(config.signatureWindowSeconds, 300);
    assert.equal(config.draftLifetimeSeconds, 86_400);
    assert.deepEqual(
      config.chains.chains.map((chain) => chain.name),
      ["localhost"],
    );
    assert.deepEqual(config.chains.tokenCodes(), ["tUSD", "tUSDT", "tUSDC", "tRUSD", "tFEE", "tSUSD", "tDAI"]);
  });

  it("names a missing or malformed secret key and says how to make one", () => {
    refused({}, /RECUR_SECRET_KEY is not set/, /openssl rand -hex 32/);
    refused({ RECUR_SECRET_KEY: "short" }, /RECUR_SECRET_KEY is malformed/);
  });

  it("names every malformed variable at once", () => {
    refused(
      {
        RECUR_SECRET_KEY: KEY,
        RECUR_PORT: "http",
        DATABASE_URL: "mysql://x",
        RECUR_SIGNATURE_WINDOW_SECONDS: "-5",
        RECUR_LOG_LEVEL: "loud",
        RECUR_CHECKOUT_ORIGINS: "https://pay.example/checkout",
      },
      /RECUR_PORT must be a port number/,
      /DATABASE_URL must be a postgres:\/\//,
      /RECUR_SIGNATURE_WINDOW_SECONDS must be a whole number of seconds from 1 to 3600, not "-5"/,
      /RECUR_LOG_LEVEL must be one of/,
      /RECUR_CHECKOUT_ORIGINS must list web origins such as https:\/\/pay.example.com, not "https:\/\/pay.example\/checkout"/,
    );
  });

  it("keeps webhooks to public addresses unless the operator allows private ones", () => {
    assert.equal(loadConfig({ RECUR_SECRET_KEY: KEY }).allowPrivateWebhooks, false);
    assert.equal(loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_WEBHOOK_ALLOW_PRIVATE: "on" }).allowPrivateWebhooks, true);
    refused({ RECUR_SECRET_KEY: KEY, RECUR_WEBHOOK_ALLOW_PRIVATE: "yes" }, /RECUR_WEBHOOK_ALLOW_PRIVATE must be "on"/);
  });

  it("limits hint-update-state to RECUR_HINT_RATE_LIMIT requests a minute per client address", () => {
    assert.equal(loadConfig({ RECUR_SECRET_KEY: KEY }).hintRateLimitPerMinute, 20);
    assert.equal(loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_HINT_RATE_LIMIT: "5" }).hintRateLimitPerMinute, 5);
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_HINT_RATE_LIMIT: "0" },
      /RECUR_HINT_RATE_LIMIT must be a whole number from 1/,
    );
  });

  it("limits requests per key and per address by default, and reads the limits, their window and proxies", () => {
    const defaults = loadConfig({ RECUR_SECRET_KEY: KEY });
    assert.deepEqual(defaults.rateLimit, { perKey: 6_000, perAddress: 600, windowSeconds: 60 });
    assert.deepEqual(defaults.trustProxy, [], "X-Forwarded-For is ignored unless proxies are named");
    const set = loadConfig({
      RECUR_SECRET_KEY: KEY,
      RECUR_RATE_LIMIT_PER_KEY: "off",
      RECUR_RATE_LIMIT_PER_ADDRESS: "30",
      RECUR_RATE_LIMIT_WINDOW: "10s",
      RECUR_TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1,loopback",
    });
    assert.deepEqual(set.rateLimit, { perKey: null, perAddress: 30, windowSeconds: 10 });
    assert.deepEqual(set.trustProxy, ["10.0.0.0/8", "127.0.0.1", "::1", "loopback"]);
    refused(
      {
        RECUR_SECRET_KEY: KEY,
        RECUR_RATE_LIMIT_PER_KEY: "lots",
        RECUR_RATE_LIMIT_PER_ADDRESS: "0",
        RECUR_RATE_LIMIT_WINDOW: "soon",
        RECUR_TRUST_PROXY: "10.0.0.0/33",
      },
      /RECUR_RATE_LIMIT_PER_KEY must be a number of requests from 1 to 10000000, or off, not "lots"/,
      /RECUR_RATE_LIMIT_PER_ADDRESS must be a number of requests from 1 to 10000000, or off, not "0"/,
      /RECUR_RATE_LIMIT_WINDOW must be a duration/,
      /RECUR_TRUST_PROXY must list the addresses or CIDR ranges of your reverse proxies .*not "10.0.0.0\/33"/,
    );
    refused({ RECUR_SECRET_KEY: KEY, RECUR_TRUST_PROXY: "proxy.internal" }, /RECUR_TRUST_PROXY .*"proxy.internal"/);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const config = loadConfig({ RECUR_SECRET_KEY: KEY, DATABASE_URL: "postgres://u@127.0.0.1:5432/recur" });
    assert.deepEqual(config.database, { kind: "postgres", url: "postgres://u@127.0.0.1:5432/recur" });
  });

  it("reads which permit each token of a chains file takes, the older permit flag meaning EIP-2612", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "recur-config-"));
    const file = path.join(dir, "chains.json");
    const chainWith = (tokens: object[]) =>
      JSON.stringify({
        chains: [
          { chainId: 1, name: "mainnet", rpcUrl: "https://eth.example", factory: `0x${"1".repeat(40)}`, tokens },
        ],
      });
    const tokenAt = (digit: string, fields: object) => ({ address: `0x${digit.repeat(40)}`, decimals: 6, ...fields });
    writeFileSync(
      file,
      chainWith([
        tokenAt("2", { code: "OLD", permit: true }),
        tokenAt("3", { code: "USDC", permitKind: "eip2612-bytes" }),
        tokenAt("4", { code: "DAI", permitKind: "dai" }),
        tokenAt("5", { code: "USDT" }),
      ]),
    );
    const config = loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file, RECUR_LOCAL_CHAIN: "off" });
    const kinds = ["OLD", "USDC", "DAI", "USDT"].map((code) => {
      const token = config.chains.token(code)?.token;
      return [token?.permit, token?.permitKind];
    });
    assert.deepEqual(kinds, [
      [true, "eip2612"],
      [true, "eip2612-bytes"],
      [true, "dai"],
      [false, null],
    ]);

    writeFileSync(file, chainWith([tokenAt("2", { code: "DAI", permit: false, permitKind: "dai" })]));
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file, RECUR_LOCAL_CHAIN: "off" },
      /tokens\.0\.permit: permit is false but permitKind is "dai"/,
    );
    writeFileSync(file, chainWith([tokenAt("2", { code: "X", permitKind: "eip3009" })]));
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file, RECUR_LOCAL_CHAIN: "off" },
      /permitKind must be one of eip2612, eip2612-bytes, dai, or null for none/,
    );
  });

  it("adds real networks from a chains file, with RPC URLs kept in variables", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "recur-config-"));
    const file = path.join(dir, "chains.json");
    writeFileSync(
      file,
      JSON.stringify({
        chains: [
          {
            chainId: 8453,
            name: "base",
            rpcUrlEnv: "TEST_BASE_RPC",
            factory: "0x1111111111111111111111111111111111111111",
            tokens: [
              { code: "USDC", address: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913", decimals: 6, permit: true },
            ],
          },
        ],
      }),
    );
    const config = loadConfig({
      RECUR_SECRET_KEY: KEY,
      RECUR_CHAINS_FILE: file,
      RECUR_LOCAL_CHAIN: "off",
      TEST_BASE_RPC: "https://base.example/key",
    });
    assert.equal(config.chains.chainByName("base")?.rpcUrl, "https://base.example/key");
    // the variable is looked up in the environment given, never in the process's
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file, RECUR_LOCAL_CHAIN: "off" },
      /chain base: its RPC URL variable TEST_BASE_RPC is not set/,
    );
    assert.equal(config.chains.token("USDC")?.token.address, "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");

    writeFileSync(file, JSON.stringify({ chains: [{ chainId: "x", name: "Base Main", tokens: [] }] }));
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file },
      /RECUR_CHAINS_FILE chains\.0\.chainId/,
      /chain names are 1-32 lowercase/,
      /each chain needs at least one token/,
    );
    refused({ RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: path.join(dir, "missing.json") }, /cannot read/);

    // a mistyped token address (one letter's case changed) or a zero factory stops the process, naming the field
    writeFileSync(
      file,
      JSON.stringify({
        chains: [
          {
            chainId: 8453,
            name: "base",
            rpcUrlEnv: "TEST_BASE_RPC",
            factory: "0x0000000000000000000000000000000000000000",
            tokens: [{ code: "USDC", address: "0x833589fcD6eDb6E08f4c7C32D4f71b54bdA02913", decimals: 6 }],
          },
        ],
      }),
    );
    refused(
      { RECUR_SECRET_KEY: KEY, RECUR_CHAINS_FILE: file },
      /RECUR_CHAINS_FILE chains\.0\.factory: must not be the zero address/,
      /RECUR_CHAINS_FILE chains\.0\.tokens\.0\.address: does not match its EIP-55 checksum/,
    );
  });

  it("finds an env:NAME gas wallet key in the environment it was loaded from, read once at start", async () => {
    const key = generatePrivateKey();
    const wallet = privateKeyToAccount(key).address;
    const config = loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_TEST_GAS_KEY: key });
    const account = await loadGasWalletKey("env:RECUR_TEST_GAS_KEY", wallet, config);
    assert.equal(account.address, wallet);
    // a variable the configuration was not given does not exist for the worker, wherever else it is set
    const without = loadConfig({ RECUR_SECRET_KEY: KEY });
    await assert.rejects(
      loadGasWalletKey("env:RECUR_TEST_GAS_KEY", wallet, without),
      (error) => error instanceof GasWalletKeyError && /RECUR_TEST_GAS_KEY is not set/.test(error.message),
    );
    await assert.rejects(
      loadGasWalletKey("env:RECUR_TEST_GAS_KEY", privateKeyToAccount(generatePrivateKey()).address, config),
      (error) => error instanceof GasWalletKeyError && /not the gas wallet/.test(error.message),
    );
  });

  it("gives the local chain no special path: how often the worker polls is a setting of the chain", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "recur-config-"));
    const file = path.join(dir, "chains.json");
    const { maxFeePerGas: _, ...local } = localChain("http://127.0.0.1:8545");
    const { pollingIntervalMs: __, ...withoutInterval } = local;
    // the local chain's own id, described by a file without an interval: the default, as for any chain
    writeFileSync(file, JSON.stringify({ chains: [withoutInterval] }));
    const described = loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_LOCAL_CHAIN: "off", RECUR_CHAINS_FILE: file });
    const chain = described.chains.chainById(31337);
    assert.ok(chain);
    assert.equal(new ChainAccess(chain).client.pollingInterval, 2_000);
    // the built-in local chain mines at once, and says so in its settings
    const builtIn = loadConfig({ RECUR_SECRET_KEY: KEY }).chains.chainById(31337);
    assert.ok(builtIn);
    assert.equal(new ChainAccess(builtIn).client.pollingInterval, 20);
    writeFileSync(file, JSON.stringify({ chains: [{ ...withoutInterval, pollingIntervalMs: 250 }] }));
    const configured = loadConfig({ RECUR_SECRET_KEY: KEY, RECUR_LOCAL_CHAIN: "off", RECUR_CHAINS_FILE: file });
    const chosen = configured.chains.chainById(31337);
    assert.ok(chosen);
    assert.equal(new ChainAccess(chosen).client.pollingInterval, 250);
  });
});
