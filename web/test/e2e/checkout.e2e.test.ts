import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { type Address, erc20Abi } from "viem";
import { build } from "vite";
import { CHROMIUM, ensureSystemPackages } from "../../../scripts/lib/ensureSystemPackages.js";
import type { TestPayer } from "../../../server/test/support/startPlatform.js";
import { startWebStack, type WebStack } from "../support/startWebStack.js";
import { installTestWallet } from "./testWallet.js";

const WEB_ROOT = path.resolve(import.meta.dirname, "../..");
const DIST = path.join(WEB_ROOT, "dist");
const SCREENSHOTS = path.join(WEB_ROOT, "test-results", "e2e");

/** Debian's chromium, headless, with nothing that calls home. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Every file of the built app, as text. */
async function builtFiles(dir: string): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return { file, text: await readFile(file, "utf8") };
      }),
  );
}

/**
 * The built dApp in Debian's chromium, served by the real web server in front of the real platform with its worker
 * on a local chain, with an EIP-6963 test wallet: a payer subscribes through the signing proxy with an approve.
 * Screenshots of each step go to web/test-results/e2e (git-ignored).
 */
describe("checkout in a browser", () => {
  let stack: WebStack;
  let browser: Browser;
  let payer: TestPayer;

  before(async () => {
    ensureSystemPackages([CHROMIUM]);
    await build({ configFile: path.join(WEB_ROOT, "vite.config.ts"), logLevel: "warn" });
    await rm(SCREENSHOTS, { recursive: true, force: true });
    await mkdir(SCREENSHOTS, { recursive: true });
    stack = await startWebStack({ distDir: DIST });
    payer = await stack.platform.newPayer();
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A fresh page with the payer's wallet, recording every request it makes. */
  async function openPage(): Promise<{ page: Page; requested: URL[] }> {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    const requested: URL[] = [];
    page.on("request", (request) => requested.push(new URL(request.url())));
    await installTestWallet(page, { key: payer.key, chain: stack.platform.chain, rpcUrl: stack.platform.node.url });
    return { page, requested };
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it("ships no credential of the merchant in the built app", async () => {
    const { apiKey, apiSecret } = stack.platform.server.merchant;
    const files = await builtFiles(DIST);
    assert.ok(
      files.some((file) => file.file.endsWith(".js")),
      "the build has scripts",
    );
    for (const { file, text } of files) {
      assert.ok(!text.includes(apiSecret), `${file} holds the API secret`);
      assert.ok(!text.includes(apiKey), `${file} holds the API key`);
      assert.ok(!text.includes("RECUR_API_SECRET"), `${file} names the API secret's variable`);
    }
  });

  it("subscribes through the signing proxy with an approve of the suggested allowance", async () => {
    const { page, requested } = await openPage();
    await page.goto(`${stack.url}/?lang=en`);
    await page.getByRole("link", { name: "Basic" }).click();
    await page.getByRole("region", { name: "What you agree to" }).waitFor();
    const terms = await page.getByRole("region", { name: "What you agree to" }).getByRole("listitem").allTextContents();
    assert.deepEqual(terms.slice(0, 2), ["5 tUSDT every month", "At most 6 charges in total, 30 tUSDT altogether"]);
    assert.ok(terms.includes(`Paid to ${stack.platform.server.merchant.payout}`), terms.join("\n"));
    await shot(page, "01-terms");

    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByRole("dialog").waitFor();
    await shot(page, "02-wallets");
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /Test Wallet/ })
      .click();
    await page.getByTestId("balance").waitFor();
    assert.equal(await page.getByTestId("balance").textContent(), "Your balance: 1,000,000 tUSDT");
    await shot(page, "03-connected");

    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.locator(".done, .error").first().waitFor({ timeout: 60_000 });
    await shot(page, "04-subscribed");
    assert.equal(await page.locator(".error").count(), 0, (await page.locator(".error").allTextContents()).join());
    assert.match((await page.getByRole("status").textContent()) ?? "", /You are subscribed/);
    const steps = await page
      .locator(".steps li")
      .evaluateAll((items) =>
        items.map((item) => `${item.getAttribute("data-step")}:${item.getAttribute("data-status")}`),
      );
    assert.deepEqual(steps, ["signIn:confirmed", "draft:confirmed", "approve:confirmed", "activate:confirmed"]);

    // the platform and the chain agree: one active subscription for this payer, charged once, allowance as approved
    const merchant = stack.platform.server.merchant.client;
    const { subscriptions } = await merchant.listSubscriptions({ payer: payer.address });
    assert.equal(subscriptions.length, 1);
    const [subscription] = subscriptions;
    assert.equal(subscription?.status, "Active");
    assert.equal(subscription?.periodsCharged, 1);
    assert.equal(subscription?.customerId, payer.address);
    const usdt = stack.platform.server.services.config.chains
      .chainById(31337)
      ?.tokens.find((token) => token.code === "tUSDT");
    assert.ok(usdt);
    const allowance = await stack.platform.client.readContract({
      address: usdt.address,
      abi: erc20Abi,
      functionName: "allowance",
      args: [payer.address, subscription?.contractAddress as Address],
    });
    assert.equal(allowance, 5_000_000n * 5n, "six periods approved, one charged");
    assert.match(
      (await page.getByRole("status").textContent()) ?? "",
      new RegExp(subscription?.contractAddress ?? "-"),
    );

    // nothing was asked of any host but this machine's
    const hosts = new Set(requested.map((url) => url.hostname));
    assert.deepEqual(
      [...hosts].filter((host) => host !== "127.0.0.1"),
      [],
    );
  });
});
