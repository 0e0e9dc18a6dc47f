import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { SignInVerifier } from "../../server/sessions/SignInVerifier";
import { siteSignInMessage } from "./siteSignInMessage";

const account = privateKeyToAccount(generatePrivateKey());
const location = { host: "shop.example.com", origin: "https://shop.example.com" };
// an RPC URL that is never called: a key's signature is recovered locally
const verifier = new SignInVerifier(
  location.origin,
  new Map([
    [31337, "http://127.0.0.1:9"],
    [8453, "http://127.0.0.1:9"],
  ]),
);

const build = (walletChainId: number, now = new Date()) =>
  siteSignInMessage({
    location,
    payer: account.address,
    walletChainId,
    servedChainIds: [8453, 31337],
    nonce: "abcdefgh12345678",
    statement: "Sign in to manage your subscriptions",
    now,
  });

describe("siteSignInMessage", () => {
  it("names the page's origin, the wallet's chain and the time it is written", () => {
    const now = new Date("2030-01-02T03:04:05.000Z");
    const fields = parseSiweMessage(build(31337, now));
    expect(fields).toMatchObject({
      domain: "shop.example.com",
      uri: "https://shop.example.com",
      address: account.address,
      chainId: 31337,
      nonce: "abcdefgh12345678",
      version: "1",
    });
    expect(fields.issuedAt?.toISOString()).toBe(now.toISOString());
    expect(fields.expirationTime).toBeUndefined();
  });

  it("falls back to the site's first chain when the wallet is on one the site does not serve", () => {
    expect(parseSiweMessage(build(1)).chainId).toBe(8453);
  });

  it("is what the web server's verifier accepts for a site at that origin", async () => {
    const issuedAt = Date.now();
    const message = build(1);
    const signature = await account.signMessage({ message });
    const signedIn = await verifier.verify({ message, signature, nonce: { value: "abcdefgh12345678", issuedAt } });
    expect(signedIn.address).toBe(account.address);
    // and refuses the same page at another origin
    const elsewhere = new SignInVerifier("https://evil.example", verifier.rpcUrls);
    await expect(
      elsewhere.verify({ message, signature, nonce: { value: "abcdefgh12345678", issuedAt } }),
    ).rejects.toThrow(/this site is evil\.example/);
  });
});
