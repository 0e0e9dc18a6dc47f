import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../server/config/loadConfig.js";
import { loadWebConfig } from "../server/config/loadWebConfig.js";

const VALID = {
  RECUR_API_URL: "http://127.0.0.1:8787",
  RECUR_API_KEY: "key_test",
  RECUR_API_SECRET: "secret-that-must-never-be-echoed",
  WEB_SESSION_SECRET: "0123456789abcdef0123456789abcdef",
  WEB_RPC_URLS: "31337=http://127.0.0.1:8545",
  WEB_PUBLIC_ORIGIN: "https://shop.example.com",
  WEB_DIST: "none",
};

/** The message of the ConfigError `env` is refused with. */
function refusal(env: Record<string, string>): string {
  try {
    loadWebConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail("the configuration was accepted");
}

describe("web server configuration", { timeout: 120_000 }, () => {
  it("reads a valid environment once, with the defaults a real site needs", () => {
    const config = loadWebConfig({ ...VALID, WEB_ADMIN_ADDRESSES: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });
    assert.equal(config.platformUrl, VALID.RECUR_API_URL);
    assert.equal(config.publicOrigin, "https://shop.example.com");
    assert.deepEqual([...config.rpcUrls], [[31337, "http://127.0.0.1:8545"]]);
    assert.deepEqual(config.http, { host: "127.0.0.1", port: 5173 });
    assert.deepEqual(config.adminAddresses, ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
    assert.equal(config.distDir, null);
    assert.deepEqual(config.rateLimit, { perMinute: 600, authPerMinute: 30 });
    assert.deepEqual(config.allowedOrigins, []);
    assert.deepEqual(config.embedOrigins, [], "no page may frame the widget unless the operator lists it");
    const embedding = loadWebConfig({ ...VALID, WEB_EMBED_ORIGINS: "https://blog.example, http://127.0.0.1:4000" });
    assert.deepEqual(embedding.embedOrigins, ["https://blog.example", "http://127.0.0.1:4000"]);
  });

  it("names every missing variable and says what it should be", () => {
    const message = refusal({ WEB_DIST: "/nonexistent/recur-web-dist" });
    for (const name of [
      "RECUR_API_URL",
      "RECUR_API_KEY",
      "RECUR_API_SECRET",
      "WEB_SESSION_SECRET",
      "WEB_RPC_URLS",
      "WEB_PUBLIC_ORIGIN",
    ]) {
      assert.match(message, new RegExp(`${name} is not set`));
    }
    assert.match(message, /WEB_DIST: \/nonexistent\/recur-web-dist holds no index.html: build the app/);
  });

  it("refuses malformed values without ever echoing a secret", () => {
    const message = refusal({
      ...VALID,
      WEB_SESSION_SECRET: "too-short-secret",
      WEB_RPC_URLS: "mainnet",
      WEB_ADMIN_ADDRESSES: "0x123",
      WEB_ALLOWED_ORIGINS: "https://shop.example/path",
      WEB_EMBED_ORIGINS: "blog.example",
      WEB_PORT: "99999",
    });
    assert.match(message, /WEB_SESSION_SECRET is too short/);
    assert.match(message, /WEB_RPC_URLS must be chainId=url pairs/);
    assert.match(message, /WEB_ADMIN_ADDRESSES must be comma-separated 0x addresses; not addresses: 0x123/);
    assert.match(message, /WEB_ALLOWED_ORIGINS must list web origins/);
    assert.match(message, /WEB_EMBED_ORIGINS must list web origins/);
    assert.match(message, /WEB_PORT must be a port number/);
    assert.ok(!message.includes("too-short-secret"), "the session secret was echoed");
    assert.ok(!refusal({ ...VALID, RECUR_API_URL: "ftp://x" }).includes(VALID.RECUR_API_SECRET));
  });

  it("refuses an admin address whose mixed case is not its checksum, and the zero address", () => {
    const message = refusal({
      ...VALID,
      WEB_ADMIN_ADDRESSES:
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293Bc,0x0000000000000000000000000000000000000000",
    });
    assert.match(
      message,
      /WEB_ADMIN_ADDRESSES: 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293Bc is not a valid EIP-55 checksummed address/,
    );
    assert.match(message, /WEB_ADMIN_ADDRESSES lists the zero address/);
    assert.ok(!message.includes("0x70997970"), "a valid address was refused");
  });

  it("takes the public origin as an origin only: scheme, host and port, nothing a request could add", () => {
    for (const origin of [
      "https://shop.example.com/",
      "https://shop.example.com/checkout",
      "https://shop.example.com:443",
      "https://Shop.Example.com",
      "https://shop.example.com?x=1",
      "ftp://shop.example.com",
      "shop.example.com",
    ]) {
      const message = refusal({ ...VALID, WEB_PUBLIC_ORIGIN: origin });
      assert.match(
        message,
        /WEB_PUBLIC_ORIGIN must be an http\(s\) origin: scheme, lowercase host and port only/,
        origin,
      );
      assert.ok(message.includes(`not "${origin}"`), `the refusal names ${origin}`);
    }
    assert.equal(
      loadWebConfig({ ...VALID, WEB_PUBLIC_ORIGIN: "http://127.0.0.1:5173" }).publicOrigin,
      "http://127.0.0.1:5173",
    );
  });
});
