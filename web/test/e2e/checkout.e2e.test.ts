import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, FrameLocator, Page } from "playwright-core";
import { type Address, encodeFunctionData, erc20Abi, type Hex, maxUint256 } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { build } from "vite";
import { smartAccountFactoryAbi, standardTokenAbi } from "../../../generated/abis.js";
import { RecurClient } from "../../../server/client/RecurClient.js";
import type { Draft, SubscriptionResource } from "../../../server/schemas/subscriptions.js";
import { freePort } from "../../../stack/freePort.js";
import { hookTimeouts } from "../../../test/support/hookTimeouts.js";
import type { TestPayer } from "../../../test/support/startPlatform.js";
import { formatDate } from "../../src/format/formatDate.js";
import { shortAddress } from "../../src/format/shortAddress.js";
import { axeReport, blocking } from "../support/axeViolations.js";
import { BrowserSession } from "../support/BrowserSession.js";
import { launchChromium } from "../support/launchChromium.js";
import { startWebStack, type WebStack } from "../support/startWebStack.js";
import { installTestWallet, promptsIn, type SmartAccountOptions } from "./testWallet.js";

const WEB_ROOT = path.resolve(import.meta.dirname, "../..");
const DIST = path.join(WEB_ROOT, "dist");
const SCREENSHOTS = path.join(WEB_ROOT, "test-results", "e2e");
/** The sizes every step is looked at in: a laptop's screen and a phone's. */
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

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
describe("checkout in a browser", { timeout: 1_200_000 }, () => {
  let stack: WebStack;
  let browser: Browser;
  let payer: TestPayer;
  const adminKey = generatePrivateKey();
  const admin: TestPayer = { key: adminKey, address: privateKeyToAccount(adminKey).address };

  /** The merchant's own page on another origin (another port), which embeds the widget: see its test. */
  let embedder: { origin: string; server?: Server };

  before(async () => {
    await build({ configFile: path.join(WEB_ROOT, "vite.config.ts"), logLevel: "warn" });
    await rm(SCREENSHOTS, { recursive: true, force: true });
    await mkdir(SCREENSHOTS, { recursive: true });
    embedder = { origin: `http://127.0.0.1:${await freePort()}` };
    stack = await startWebStack({
      distDir: DIST,
      adminAddresses: [admin.address],
      embedOrigins: [embedder.origin],
    });
    // branded before any page asks, so every page below shows the merchant's header (the site reuses it a minute)
    await stack.platform.server.merchant.client.setBranding({
      displayName: "Demo merchant",
      logoUrl: `${stack.url}/favicon.svg`,
      supportUrl: "mailto:help@shop.example",
    });
    payer = await stack.platform.newPayer();
    browser = await launchChromium();
  }, hookTimeouts.starting);
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (embedder?.server ? embedder.server.close(resolve) : resolve(undefined)));
    await stack?.stop();
  }, hookTimeouts.stopping);

  /**
   * A fresh page with `who`'s wallet, recording every request it makes: in a browser of its own, or in `sameBrowser`
   * (its storage, as a payer coming back finds it), its wallet not yet connected.
   */
  async function openPage(
    who: TestPayer = payer,
    {
      viewport = VIEWPORTS.desktop,
      sameBrowser,
      smartAccount,
    }: {
      viewport?: { width: number; height: number };
      sameBrowser?: BrowserContext;
      /** The wallet acts as this smart account, owned by `who`'s key. */
      smartAccount?: SmartAccountOptions;
    } = {},
  ) {
    const context = sameBrowser ?? (await browser.newContext({ viewport }));
    // every wait in the page is for a condition: give a loaded machine time (Playwright's default is 30 s)
    context.setDefaultTimeout(90_000);
    const page = await context.newPage();
    const requested: URL[] = [];
    page.on("request", (request) => requested.push(new URL(request.url())));
    const wallet = await installTestWallet(page, {
      key: who.key,
      chain: stack.platform.chain,
      rpcUrl: stack.platform.node.url,
      ...(smartAccount ? { smartAccount } : {}),
    });
    return { page, requested, wallet };
  }

  /** Clicks the connect button of `scope` (a page, or the widget's frame) and chooses the test wallet in the dialog. */
  async function chooseTestWallet(scope: Page | FrameLocator, connectLabel = "Connect Wallet") {
    await scope.getByRole("button", { name: connectLabel }).click();
    await scope
      .getByRole("dialog")
      .getByRole("button", { name: /Test Wallet/ })
      .click();
  }

  /** Opens the plan's checkout and connects the test wallet. */
  async function connectOnPlan(page: Page, planName: string, screenshotPrefix?: string) {
    await page.goto(`${stack.url}/?lang=en`);
    await page.getByRole("link", { name: planName }).click();
    await page.getByRole("region", { name: "What you agree to" }).waitFor();
    if (screenshotPrefix) await look(page, `${screenshotPrefix}-terms`);
    await page.getByRole("button", { name: "Connect Wallet" }).waitFor();
    assert.equal(await page.getByTestId("connect-refused").count(), 0, "no refusal before any attempt");
    await page.getByRole("button", { name: "Connect Wallet" }).click();
    await page.getByRole("dialog").waitFor();
    if (screenshotPrefix) await look(page, `${screenshotPrefix}-wallets`);
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /Test Wallet/ })
      .click();
    await page.getByTestId("balance").waitFor();
  }

  /** Clicks Subscribe and waits for the outcome; fails with the page's error message if there is one. */
  async function subscribe(page: Page, screenshot: string): Promise<string[]> {
    await page.getByRole("button", { name: "Subscribe" }).click();
    return outcome(page, screenshot);
  }

  /** Waits for the outcome of a Subscribe already clicked; fails with the page's error message if there is one. */
  async function outcome(page: Page, screenshot: string): Promise<string[]> {
    await page.locator(".done, .error").first().waitFor({ timeout: 90_000 });
    await look(page, screenshot);
    assert.equal(await page.locator(".error").count(), 0, (await page.locator(".error").allTextContents()).join());
    assert.match((await page.getByRole("status").textContent()) ?? "", /You are subscribed/);
    return page
      .locator(".steps li")
      .evaluateAll((items) =>
        items.map((item) => `${item.getAttribute("data-step")}:${item.getAttribute("data-status")}`),
      );
  }

  const tokenAddress = (code: string) => {
    const token = stack.platform.server.services.config.chains
      .chainById(31337)
      ?.tokens.find((candidate) => candidate.code === code);
    assert.ok(token, code);
    return token.address;
  };

  /**
   * A smart account (ERC-1271, from the local chain's test SmartAccountFactory) owned by a new payer's key and
   * holding each test token: deployed, or with `counterfactual` only its address known (ERC-6492 signs for it).
   */
  async function newSmartAccount({ counterfactual = false } = {}) {
    const owner = await stack.platform.newPayer();
    const factory = stack.platform.server.services.config.chains.chainById(31337)?.smartAccountFactory;
    assert.ok(factory, "the local chain has a smart-account factory");
    const salt: Hex = `0x${"00".repeat(31)}01`;
    const address = await stack.platform.client.readContract({
      address: factory,
      abi: smartAccountFactoryAbi,
      functionName: "getAddress",
      args: [owner.address, salt],
    });
    const call = { abi: smartAccountFactoryAbi, functionName: "createAccount", args: [owner.address, salt] } as const;
    if (!counterfactual) await stack.platform.send(owner, { address: factory, ...call });
    for (const code of ["tUSDT", "tSUSD"]) {
      await stack.platform.send(owner, {
        address: tokenAddress(code),
        abi: standardTokenAbi,
        functionName: "mint",
        args: [address, 10n ** 12n],
      });
    }
    const deploy = { factory, factoryData: encodeFunctionData(call) };
    return { owner, address, deploy, payer: { key: owner.key, address } satisfies TestPayer };
  }

  /** The payer's only subscription as the platform sees it, and the allowance it has on chain. */
  async function onlySubscription(who: TestPayer, tokenCode: string) {
    const { subscriptions } = await stack.platform.server.merchant.client.listSubscriptions({ payer: who.address });
    assert.equal(subscriptions.length, 1);
    const subscription = subscriptions[0] as SubscriptionResource;
    const allowance = await stack.platform.client.readContract({
      address: tokenAddress(tokenCode),
      abi: erc20Abi,
      functionName: "allowance",
      // the API answers addresses as strings
      args: [who.address, subscription.contractAddress as Address],
    });
    return { subscription, allowance };
  }

  /**
   * What a person sees at this step, at a desktop's and a phone's size: a full-page screenshot of each and axe's
   * report beside it (`name-desktop.png`, `name-desktop.axe.json`, ...), with no serious or critical violation.
   */
  async function look(page: Page, name: string) {
    const before = page.viewportSize();
    try {
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
        const report = await axeReport(page);
        await writeFile(path.join(SCREENSHOTS, `${name}-${size}.axe.json`), `${JSON.stringify(report, null, 2)}\n`);
        assert.deepEqual(blocking(report), [], `${name} at ${size} size: serious or critical accessibility violations`);
      }
    } finally {
      if (before) await page.setViewportSize(before);
    }
  }

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
    const { page, requested, wallet } = await openPage();
    await connectOnPlan(page, "Basic", "approve-01");
    const connected = wallet.calls.length;
    const terms = await page.getByRole("region", { name: "What you agree to" }).getByRole("listitem").allTextContents();
    assert.deepEqual(terms.slice(0, 2), ["5 tUSDT every month", "At most 6 charges in total, 30 tUSDT altogether"]);
    // who is asking: the merchant's logo and name, and by name again, with its address, as the payee
    const { payout } = stack.platform.server.merchant;
    const logo = page.getByTestId("brand").getByRole("img", { name: "Demo merchant" });
    assert.equal(await logo.getAttribute("referrerpolicy"), "no-referrer");
    assert.ok(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), "the logo loaded");
    assert.ok(
      terms.some((line) => line.startsWith(`Paid to Demo merchant (${shortAddress(payout)}, copy)`)),
      terms.join("\n"),
    );
    assert.equal(await page.getByTestId("payee").locator("abbr").getAttribute("title"), payout);
    assert.equal(await page.getByTestId("support-link").getAttribute("href"), "mailto:help@shop.example");
    assert.equal(await page.getByTestId("balance").textContent(), "Your balance: 1,000,000 tUSDT");
    // what the wallet will ask, and what it costs, before the click
    const path = page.getByTestId("path");
    await path.filter({ hasText: "ETH" }).waitFor();
    assert.match(
      (await path.textContent()) ?? "",
      /^Your wallet will ask for 1 transaction\. Network fee: up to 0\.\d{1,6} ETH\.$/,
    );
    assert.equal(
      await page.getByTestId("approve-why").textContent(),
      "You allow this subscription's own contract to take up to 30 tUSDT: 6 payments, never more. It can only take 5 tUSDT per period, on the dates above. When they are used up, you top up from your subscriptions page.",
    );
    await look(page, "approve-02-connected");

    // while the wallet asks, the page says where to look
    let answer = () => {};
    wallet.holding.set("eth_sendTransaction", new Promise<void>((resolve) => (answer = resolve)));
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByText("Approving the allowance: confirm in your wallet…").waitFor();
    await look(page, "approve-03-confirm-in-wallet");
    wallet.holding.delete("eth_sendTransaction");
    answer();
    const steps = await outcome(page, "approve-04-subscribed");
    assert.deepEqual(steps, ["draft:confirmed", "approve:confirmed", "activate:confirmed"]);
    assert.deepEqual(promptsIn(wallet.calls.slice(connected)), ["eth_sendTransaction"], "one prompt after connect");
    const { subscription, allowance } = await onlySubscription(payer, "tUSDT");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(subscription.customerId, payer.address);
    assert.equal(allowance, 5_000_000n * 5n, "six periods approved, one charged");
    assert.match((await page.getByRole("status").textContent()) ?? "", new RegExp(subscription.contractAddress));
    // the receipt: what the first charge took, when, and its transaction
    const receipt = await page.getByTestId("receipt").locator("dt, dd").allTextContents();
    assert.deepEqual(receipt.slice(0, 2), ["Paid", "5 tUSDT"]);
    assert.equal(receipt[2], "Date");
    assert.equal(receipt[4], "Transaction");
    const [charge] = (await stack.platform.server.merchant.client.getSubscription(subscription.contractAddress))
      .charges;
    assert.ok(charge?.txHash);
    assert.equal(await page.getByTestId("receipt").locator("code").getAttribute("title"), charge.txHash);
    assert.equal(await page.title(), "Basic · Subscriptions", "the tab names the plan");
    // the way on: the payer's subscriptions on this site
    await page.getByRole("link", { name: "Manage your subscription" }).click();
    await page.getByRole("heading", { name: "Your subscriptions" }).waitFor();
    assert.equal(await page.title(), "Your subscriptions · Subscriptions");

    // nothing was asked of any host but this machine's
    const hosts = new Set(requested.map((url) => url.hostname));
    assert.deepEqual(
      [...hosts].filter((host) => host !== "127.0.0.1"),
      [],
    );
  });

  it("says in words when the payer declines in the wallet, moves the focus to it, and subscribes on retry", async () => {
    const decliningPayer = await stack.platform.newPayer();
    const { page, wallet } = await openPage(decliningPayer);
    await connectOnPlan(page, "Basic");
    wallet.declining.add("eth_sendTransaction");
    await page.getByRole("button", { name: "Subscribe" }).click();
    const alert = page.locator(".error");
    await alert.waitFor({ timeout: 90_000 });
    assert.equal(await alert.textContent(), "You declined the request in your wallet. Nothing was sent.");
    assert.ok(
      await alert.evaluate((element) => element === document.activeElement),
      "the error has the focus, not the page's body",
    );
    // a token with no allowance yet needs one approval, not two: the zero-first notice is not shown
    assert.equal(await page.getByText("your wallet will ask for two approvals").count(), 0);
    await look(page, "declined-01-approve");
    wallet.declining.delete("eth_sendTransaction");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("status").filter({ hasText: "You are subscribed" }).waitFor({ timeout: 90_000 });
    const { subscription } = await onlySubscription(decliningPayer, "tUSDT");
    assert.equal(subscription.status, "Active");
  });

  it("subscribes with a permit signature where the token takes one, sending no transaction", async () => {
    const permitPayer = await stack.platform.newPayer();
    const { page, wallet } = await openPage(permitPayer);
    await connectOnPlan(page, "Pro", "permit-00");
    const connected = wallet.calls.length;
    await page.getByTestId("path").waitFor();
    assert.equal(
      await page.getByTestId("path").textContent(),
      "Your wallet will ask for 1 signature. No transaction, no network fee.",
    );
    let answer = () => {};
    wallet.holding.set("eth_signTypedData_v4", new Promise<void>((resolve) => (answer = resolve)));
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.getByText("Signing the permit: confirm in your wallet…").waitFor();
    await look(page, "permit-01-confirm-in-wallet");
    wallet.holding.delete("eth_signTypedData_v4");
    answer();
    const steps = await outcome(page, "permit-02-subscribed");
    assert.deepEqual(steps, ["draft:confirmed", "permit:confirmed", "activate:confirmed"]);
    assert.deepEqual(
      promptsIn(wallet.calls.slice(connected)),
      ["eth_signTypedData_v4"],
      "one signature, no transaction",
    );
    const { subscription, allowance } = await onlySubscription(permitPayer, "tUSDC");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(allowance, 9_990_000n * 11n, "twelve periods permitted, one charged");
  });

  it("subscribes from a smart account with one confirmation: the approval as one atomic batch (EIP-5792)", async () => {
    const smart = await newSmartAccount();
    const { page, wallet } = await openPage(smart.owner, { smartAccount: { address: smart.address } });
    await connectOnPlan(page, "Basic");
    const connected = wallet.calls.length;
    const path = page.getByTestId("path");
    await path.filter({ hasText: "batch" }).waitFor();
    assert.match(
      (await path.textContent()) ?? "",
      /^Your wallet will ask you to confirm 1 batch of calls\. Network fee: up to 0\.\d{1,6} ETH\.$/,
    );
    await look(page, "smart-01-batch-path");
    const steps = await subscribe(page, "smart-02-batch-subscribed");
    assert.deepEqual(steps, ["draft:confirmed", "batch:confirmed", "activate:confirmed"]);
    assert.deepEqual(promptsIn(wallet.calls.slice(connected)), ["wallet_sendCalls"], "one confirmation after connect");
    assert.ok(wallet.calls.includes("wallet_getCapabilities"), "the page asked the wallet what it can do");
    const { subscription, allowance } = await onlySubscription(smart.payer, "tUSDT");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.payer, smart.address);
    assert.equal(allowance, 5_000_000n * 5n, "six periods approved, one charged");
  });

  it("subscribes from a smart account not deployed yet with one permit signature (ERC-6492), paying no gas", async () => {
    const smart = await newSmartAccount({ counterfactual: true });
    const { page, wallet } = await openPage(smart.owner, {
      smartAccount: { address: smart.address, deploy: smart.deploy },
    });
    await connectOnPlan(page, "Team");
    const connected = wallet.calls.length;
    const path = page.getByTestId("path");
    await path.waitFor();
    assert.equal(await path.textContent(), "Your wallet will ask for 1 signature. No transaction, no network fee.");
    await look(page, "smart-03-permit-path");
    const ownerCoins = await stack.platform.client.getBalance({ address: smart.owner.address });
    const steps = await subscribe(page, "smart-04-permit-subscribed");
    assert.deepEqual(steps, ["draft:confirmed", "permit:confirmed", "activate:confirmed"]);
    assert.deepEqual(promptsIn(wallet.calls.slice(connected)), ["eth_signTypedData_v4"], "one signature after connect");
    const { subscription, allowance } = await onlySubscription(smart.payer, "tSUSD");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(allowance, 3_000_000n * 11n, "twelve periods permitted, one charged");
    const code = await stack.platform.client.getCode({ address: smart.address });
    assert.ok(code && code !== "0x", "the activation deployed the account its signature named");
    assert.equal(await stack.platform.client.getBalance({ address: smart.owner.address }), ownerCoins, "no gas paid");
  });

  it("subscribes with DAI's permit in one signature, saying first that its allowance has no limit", async () => {
    // 10^24 base units: a million of the 18-decimal tDAI
    const daiPayer = await stack.platform.newPayer(10n ** 24n);
    const { page, wallet } = await openPage(daiPayer);
    await connectOnPlan(page, "Digest");
    const connected = wallet.calls.length;
    await page.getByTestId("path").waitFor();
    assert.equal(
      await page.getByTestId("path").textContent(),
      "Your wallet will ask for 1 signature. No transaction, no network fee.",
    );
    assert.equal(
      await page.getByTestId("approve-why").textContent(),
      "tDAI's permit names no amount: it lets this subscription's own contract take from your tDAI without a limit. The contract itself can only take 1.5 tDAI per period, on the dates above, and you can revoke it at any time.",
    );
    await look(page, "dai-01-path");
    const steps = await subscribe(page, "dai-02-subscribed");
    assert.deepEqual(steps, ["draft:confirmed", "permit:confirmed", "activate:confirmed"]);
    assert.deepEqual(promptsIn(wallet.calls.slice(connected)), ["eth_signTypedData_v4"], "one signature after connect");
    const { subscription, allowance } = await onlySubscription(daiPayer, "tDAI");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.periodsCharged, 1);
    assert.equal(allowance, maxUint256, "DAI's permit allows without a limit, and a charge leaves it so");
  });

  it("sets a USDT-like token's allowance to 0 before approving another amount, reusing the draft of a visit before", async () => {
    const usdtPayer = await stack.platform.newPayer();
    // a first visit makes the draft but the payer declines the approval; a smaller allowance is set elsewhere
    const { page, wallet } = await openPage(usdtPayer);
    await connectOnPlan(page, "Basic");
    wallet.declining.add("eth_sendTransaction");
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.locator(".error").waitFor({ timeout: 90_000 });
    wallet.declining.delete("eth_sendTransaction");
    const { subscription: draft } = await onlySubscription(usdtPayer, "tUSDT");
    assert.equal(draft.status, "Draft");
    await stack.platform.send(usdtPayer, {
      address: tokenAddress("tUSDT"),
      abi: erc20Abi,
      functionName: "approve",
      args: [draft.contractAddress as Address, 1_000_000n],
    });

    // back in the same browser later, the draft is found again
    const context = page.context();
    await page.close();
    const { page: later } = await openPage(usdtPayer, { sameBrowser: context });
    await connectOnPlan(later, "Basic");
    const steps = await subscribe(later, "usdt-01-subscribed");
    assert.deepEqual(steps, ["approveZero:confirmed", "approve:confirmed", "activate:confirmed"]);
    const { subscription, allowance } = await onlySubscription(usdtPayer, "tUSDT");
    assert.equal(subscription.contractAddress, draft.contractAddress, "the earlier draft was reused");
    assert.equal(subscription.status, "Active");
    assert.equal(allowance, 5_000_000n * 5n);
  });

  it("says why when the payer declines the switch back to the plan's network, and switches on a second try", async () => {
    const elsewhere = await stack.platform.newPayer();
    const { page, wallet } = await openPage(elsewhere, { viewport: VIEWPORTS.phone });
    await connectOnPlan(page, "Basic");
    // the payer moves the wallet to another network: the page says so, and offers the switch back
    await wallet.moveTo(1);
    await page.getByText("Your wallet is on another network. This plan is paid on localhost.").waitFor();
    assert.equal(await page.getByRole("button", { name: "Subscribe" }).count(), 0, "nothing to approve on chain 1");
    wallet.declining.add("wallet_switchEthereumChain");
    await page.getByRole("button", { name: "Switch to localhost" }).click();
    const reason = page.getByTestId("switch-error");
    await reason.waitFor();
    assert.equal(
      await reason.textContent(),
      "You declined the switch to localhost in your wallet. Switch again, or choose localhost in your wallet, to subscribe.",
    );
    await look(page, "switch-01-declined");
    wallet.declining.delete("wallet_switchEthereumChain");
    await page.getByRole("button", { name: "Switch to localhost" }).click();
    await page.getByTestId("balance").waitFor();
    assert.equal(await reason.count(), 0, "the reason goes once the switch is made");
    assert.equal(await page.getByRole("button", { name: "Subscribe" }).isEnabled(), true);
  });

  it("says why when the payer declines the connection in the wallet, and connects on a second try", async () => {
    const { page, wallet } = await openPage(await stack.platform.newPayer());
    wallet.declining.add("eth_requestAccounts");
    await page.goto(`${stack.url}/?lang=en`);
    await page.getByRole("link", { name: "Basic" }).click();
    const chooseWallet = async () => {
      await chooseTestWallet(page);
    };
    await chooseWallet();
    const reason = page.getByTestId("connect-refused");
    await reason.waitFor();
    assert.equal(
      await reason.textContent(),
      "Your wallet did not connect: the request was declined or closed in the wallet. Choose your wallet again to connect.",
    );
    // no dialog left waiting on Retry
    await page.getByRole("dialog").waitFor({ state: "detached", timeout: 10_000 });
    assert.ok(await reason.evaluate((element) => element === document.activeElement), "the reason has the focus");
    await look(page, "connect-01-declined");
    wallet.declining.delete("eth_requestAccounts");
    await chooseWallet();
    await page.getByTestId("balance").waitFor();
    assert.equal(await reason.count(), 0, "the reason goes once the wallet connects");
  });

  it("remembers the language the payer chose, on the next visit without ?lang", async () => {
    const { page } = await openPage(await stack.platform.newPayer());
    await page.goto(`${stack.url}/`);
    await page.getByRole("heading", { name: "Choose a plan" }).waitFor();
    await page.getByRole("link", { name: "Basic" }).waitFor();
    await look(page, "plans-01-list");
    await page.getByLabel("Language").selectOption({ label: "Español" });
    await page.getByRole("heading", { name: "Elige un plan" }).waitFor();
    const { page: later } = await openPage(undefined, { sameBrowser: page.context() });
    await later.goto(`${stack.url}/`);
    await later.getByRole("heading", { name: "Elige un plan" }).waitFor();
    assert.equal(await later.getByLabel("Idioma").inputValue(), "es");
  });

  it("tells a payer without enough balance, before asking anything of the wallet", async () => {
    const poorPayer = await stack.platform.newPayer(1_000_000n);
    const { page, wallet } = await openPage(poorPayer, { viewport: VIEWPORTS.phone });
    await connectOnPlan(page, "Basic");
    const alert = page.getByRole("alert").filter({ hasText: "less than one payment" });
    await alert.waitFor();
    await look(page, "balance-01-too-low");
    assert.equal(
      await alert.textContent(),
      "Your balance of 1 tUSDT is less than one payment of 5 tUSDT. Add funds to this wallet, then try again.",
    );
    assert.equal(await page.getByRole("button", { name: "Subscribe" }).isDisabled(), true);
    assert.ok(!wallet.calls.includes("personal_sign") && !wallet.calls.includes("eth_sendTransaction"));
    // a phone-sized screen shows it all without sideways scrolling
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  });

  it("tells a payer with tokens but none of the chain's coin what the approval costs, before any prompt", async () => {
    const noGasPayer = await stack.platform.newPayer();
    // all of its ETH gone: it can sign, but not pay for a transaction
    await stack.platform.client.request({
      method: "hardhat_setBalance" as never,
      params: [noGasPayer.address, "0x0"] as never,
    });
    const { page, wallet } = await openPage(noGasPayer, { viewport: VIEWPORTS.phone });
    await connectOnPlan(page, "Basic");
    const alert = page.getByTestId("no-fee");
    await alert.waitFor();
    await look(page, "gas-01-no-fee");
    assert.match(
      (await alert.textContent()) ?? "",
      /^Approving costs a network fee of up to 0\.\d{1,6} ETH, and this wallet holds 0 ETH\. Add ETH on \S+ to this wallet, then try again\. Nothing was sent\.$/,
    );
    assert.equal(await page.getByRole("button", { name: "Subscribe" }).isDisabled(), true);
    assert.ok(
      !wallet.calls.includes("personal_sign") && !wallet.calls.includes("eth_sendTransaction"),
      wallet.calls.join(),
    );
    // the page stays the size of the phone: no raw error stretching it
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 2 * 844, `the page is ${height}px tall`);
  });

  it("subscribes on the hosted page of a checkout session and returns to the success URL", async () => {
    // 10^24 base units: a million of the 18-decimal tUSD
    const hostedPayer = await stack.platform.newPayer(10n ** 24n);
    const merchant = stack.platform.server.merchant.client;
    const session = await merchant.createCheckoutSession({
      planId: stack.plans.usd.id,
      customerId: "customer-42",
      successUrl: `${stack.url}/thanks`,
      cancelUrl: `${stack.url}/cancelled`,
      lang: "es",
    });
    assert.equal(session.url, `${stack.url}/checkout/${session.id}`);
    const { page } = await openPage(hostedPayer);
    await page.goto(session.url);
    // in the language the merchant chose for the session
    const terms = page.getByRole("region", { name: "Lo que aceptas" });
    await terms.waitFor();
    assert.equal(await terms.getByRole("listitem").first().textContent(), "2,5 tUSD cada semana");
    assert.ok(await page.getByText("Una suscripción con Demo merchant").isVisible());
    await page.getByRole("button", { name: "Conectar la billetera" }).waitFor();
    await look(page, "hosted-01-terms");
    // the wallet library's reconnect at load is not a refused connection
    assert.equal(await page.getByTestId("connect-refused").count(), 0, "no refusal before any attempt");
    // the wallet dialog speaks the page's language too
    await chooseTestWallet(page, "Conectar la billetera");
    await page.getByTestId("balance").waitFor();
    await page.getByRole("button", { name: "Suscribirme" }).click();
    await page.waitForURL(/\/thanks\?/, { timeout: 90_000 });
    await look(page, "hosted-02-returned");

    const returned = new URL(page.url()).searchParams;
    assert.equal(returned.get("sessionId"), session.id);
    assert.equal(returned.get("status"), "Active");
    const subscription = await merchant.getSubscription(returned.get("contractAddress") ?? "");
    assert.equal(subscription.status, "Active");
    assert.equal(subscription.customerId, "customer-42");
    assert.equal(subscription.payer, hostedPayer.address);
    assert.equal((await merchant.getCheckoutSession(session.id)).status, "Completed");

    // the link opened again says it is done before any click, and leads on to the merchant, not to a new subscription
    await page.goto(session.url);
    await page.getByRole("heading", { name: "Ya estás suscrito" }).waitFor();
    assert.equal(
      await page.getByRole("status").textContent(),
      "Este pago ya está hecho: tu suscripción Weekly news con Demo merchant está activa. No hay nada más que hacer aquí.",
    );
    const onward = page.getByRole("link", { name: "Continuar a Demo merchant" });
    const expected = new URL(`${stack.url}/thanks`);
    for (const [key, value] of returned) expected.searchParams.set(key, value);
    assert.equal(await onward.getAttribute("href"), expected.toString());
    assert.equal(await page.getByRole("button", { name: "Suscribirme" }).count(), 0);
    await look(page, "hosted-02b-reopened");

    // and the payer manages it from this site's portal, though the merchant's backend made it for its own customer
    await page.goto(`${stack.url}/portal?lang=en`);
    const signIn = page.getByRole("button", { name: "Sign in with your wallet" });
    const connect = page.getByRole("button", { name: "Connect Wallet" });
    await signIn.or(connect).first().waitFor();
    if (await connect.isVisible()) {
      await connect.click();
      await page
        .getByRole("dialog")
        .getByRole("button", { name: /Test Wallet/ })
        .click();
    }
    await signIn.click();
    const card = page.getByRole("article", { name: subscription.contractAddress });
    await card.waitFor();
    assert.equal(await card.getByRole("heading", { level: 2 }).textContent(), "Weekly news");
    await look(page, "hosted-04-in-portal");
    await card.getByRole("button", { name: "Pause" }).click();
    await card.locator(`[data-action-status="confirmed"]`).waitFor({ timeout: 90_000 });
    await stack.platform.waitFor("the pause", async () =>
      (await merchant.getSubscription(subscription.contractAddress)).status === "Paused" ? true : undefined,
    );
  });

  it("refuses an expired checkout session in words, with the way back to the merchant", async () => {
    const merchant = stack.platform.server.merchant.client;
    const session = await merchant.createCheckoutSession({
      planId: stack.plans.usd.id,
      customerId: "customer-43",
      successUrl: `${stack.url}/thanks`,
      cancelUrl: `${stack.url}/cancelled`,
      expiresInHours: 1,
    });
    stack.platform.server.advanceClock(2 * 3600);
    try {
      const { page, wallet } = await openPage(await stack.platform.newPayer());
      await page.goto(session.url);
      await page.getByRole("heading", { name: "This checkout link has expired" }).waitFor();
      await look(page, "hosted-03-expired");
      assert.match(
        (await page.getByRole("alert").textContent()) ?? "",
        /^It expired on .+\. Ask Demo merchant for a new link; nothing was charged\.$/,
      );
      const back = page.getByRole("link", { name: "Back to Demo merchant without subscribing" });
      assert.equal(await back.getAttribute("href"), `${stack.url}/cancelled?sessionId=${session.id}`);
      assert.equal(await page.getByRole("button", { name: "Connect Wallet" }).count(), 0);
      assert.deepEqual(
        wallet.calls.filter((call) => call !== "eth_accounts" && call !== "eth_chainId"),
        [],
      );
    } finally {
      stack.platform.server.advanceClock(-2 * 3600);
    }
  });

  it("shows the payer's subscriptions in the portal, and pauses, resumes and cancels them from the wallet", async () => {
    const portalPayer = await stack.platform.newPayer();
    const merchant = stack.platform.server.merchant.client;
    // subscribed earlier, through the proxy's HTTP API
    const earlier = new BrowserSession(stack.url);
    assert.equal((await earlier.signIn(portalPayer.key)).status, 200);
    const draft = (await earlier.post<Draft>("/api/me/subscriptions", { planId: stack.plans.usdt.id })).body;
    await stack.platform.approve(portalPayer, draft);
    assert.equal((await earlier.post(`/api/me/subscriptions/${draft.contractAddress}/activate`)).status, 200);
    const serverStatus = async () => (await merchant.getSubscription(draft.contractAddress)).status;
    await stack.platform.waitFor("activation", async () => ((await serverStatus()) === "Active" ? true : undefined));

    const { page } = await openPage(portalPayer);
    await page.goto(`${stack.url}/portal?lang=en`);
    await chooseTestWallet(page);
    await page.getByRole("button", { name: "Sign in with your wallet" }).click();
    const card = page.getByRole("article", { name: draft.contractAddress });
    const status = card.getByTestId("status");
    await card.waitFor();
    assert.equal(await status.textContent(), "Active");
    assert.equal(await card.getByRole("heading", { level: 2 }).textContent(), "Basic", "titled by its plan");
    assert.equal(await card.locator(".price").textContent(), "5 tUSDT every month");
    assert.equal(await card.getByTestId("runway").textContent(), "5 more periods");
    // and as a day: the fifth charge from the next one
    const { nextChargeAt, periodSeconds } = await merchant.getSubscription(draft.contractAddress);
    assert.ok(nextChargeAt);
    const fifth = new Date(Date.parse(nextChargeAt) + 4 * periodSeconds * 1000);
    assert.equal(await card.getByTestId("covered-through").textContent(), formatDate(fifth, "en"));
    // the first charge, paid at activation, with its transaction
    const charges = card.getByRole("region", { name: "Charges" }).getByRole("listitem");
    await charges.first().waitFor();
    assert.equal(await charges.count(), 1);
    assert.match((await charges.first().textContent()) ?? "", / · 5 tUSDT · Paid/);
    await look(page, "portal-01-active");

    /** Clicks `button` (then `confirm`, if it asks) and waits until the page (polling the server) shows `expected`. */
    const act = async (button: string, expected: string, serverExpected: string, confirm?: string) => {
      await card.getByRole("button", { name: button }).click();
      if (confirm) await card.getByRole("button", { name: confirm }).click();
      await card.locator(`[data-action-status="confirmed"]`).waitFor({ timeout: 90_000 });
      await page.waitForFunction(
        ({ address, text }) =>
          document.querySelector(`article[aria-label="${address}"] [data-testid="status"]`)?.textContent === text,
        { address: draft.contractAddress, text: expected },
        { timeout: 90_000 },
      );
      assert.equal(await serverStatus(), serverExpected);
    };
    await act("Pause", "Paused", "Paused");
    // a paused subscription is charged nothing, whatever date its next charge had
    assert.equal(await card.getByTestId("next-charge").textContent(), "None until you resume");
    await look(page, "portal-02-paused");
    await act("Resume", "Active", "Active");

    // a change made elsewhere (the merchant pauses it) shows without a reload
    await merchant.pauseSubscription(draft.contractAddress);
    await page.waitForFunction(
      (address) =>
        document.querySelector(`article[aria-label="${address}"] [data-testid="status"]`)?.textContent === "Paused",
      draft.contractAddress,
      { timeout: 90_000 },
    );
    await act("Resume", "Active", "Active");

    const allowance = () =>
      stack.platform.client.readContract({
        address: tokenAddress("tUSDT"),
        abi: erc20Abi,
        functionName: "allowance",
        // the API answers addresses as strings
        args: [portalPayer.address, draft.contractAddress as Address],
      });
    const runwayShows = (text: string) =>
      page.waitForFunction(
        ({ address, expected }) =>
          document.querySelector(`article[aria-label="${address}"] [data-testid="runway"]`)?.textContent === expected,
        { address: draft.contractAddress, expected: text },
        { timeout: 90_000 },
      );
    // revoking asks first and says what follows; keeping it changes nothing
    const nextCharge = (await card.getByTestId("next-charge").textContent()) ?? "";
    await card.getByRole("button", { name: "Revoke the allowance" }).click();
    const revokeQuestion = card.getByRole("group", { name: /^Revoke the allowance\?/ });
    assert.equal(
      await revokeQuestion.locator("legend").textContent(),
      `Revoke the allowance? The contract can then take nothing: the next charge, due ${nextCharge}, will fail, and unless you top up again the subscription is cancelled once the retries run out.`,
    );
    assert.ok(
      await revokeQuestion
        .getByRole("button", { name: "Yes, revoke it" })
        .evaluate((b) => b === document.activeElement),
      "the question takes the focus",
    );
    await look(page, "portal-02b-revoke-confirm");
    await revokeQuestion.getByRole("button", { name: "Keep it" }).click();
    assert.equal(await allowance(), 5_000_000n * 5n);
    await card.getByRole("button", { name: "Revoke the allowance" }).click();
    await card.getByRole("button", { name: "Yes, revoke it" }).click();
    await runwayShows("0 more periods");
    assert.equal(await allowance(), 0n);
    // with nothing to take it from, the page says the next charge will fail, before it does
    const warning = card.getByTestId("will-fail");
    await warning.waitFor();
    assert.equal(
      await warning.textContent(),
      `The next charge, due ${nextCharge}, will fail: the allowance or your balance does not cover it. Top up the allowance or add funds before then.`,
    );
    await look(page, "portal-02c-will-fail");
    await card.getByRole("button", { name: "Top up the allowance" }).click();
    await runwayShows("5 more periods");
    assert.equal(await allowance(), 5_000_000n * 5n, "the five remaining periods");
    await warning.waitFor({ state: "detached" });

    await card.getByRole("button", { name: "Cancel" }).click();
    assert.equal(
      await card
        .getByRole("group", { name: /^Cancel this subscription\?/ })
        .locator("legend")
        .textContent(),
      `Cancel this subscription? Nothing more will be charged, from the charge due ${nextCharge} on. This cannot be undone.`,
    );
    await act("Yes, cancel it", "Cancelled", "Cancelled");
    await look(page, "portal-03-cancelled");
    assert.equal(await card.getByRole("button", { name: "Pause" }).count(), 0, "nothing left to do");
  });

  it("embeds the widget in another origin's page: the customer's plans, one prompt to subscribe, managing, the customer token alone", async () => {
    const merchant = stack.platform.server.merchant.client;
    const customerId = `cus_widget_${Date.now()}`;
    let tokensMinted = 0;
    // the merchant's own page and backend: it mints the signed-in customer's token (here: one customer) when asked
    embedder.server = createServer((request, response) => {
      if (request.method === "POST" && request.url === "/recur/customer-token") {
        tokensMinted++;
        merchant
          .createCustomerToken(customerId)
          .then(({ token }) =>
            response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token })),
          )
          .catch(() => response.writeHead(500).end());
        return;
      }
      // opened with a token that no longer works: the widget asks this page for a new one, which asks the backend
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo merchant's blog</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: Georgia, serif; margin: 2rem; color: #222">
<main><h1>Demo merchant's blog</h1><p>Support the newsletter:</p>
<div id="subscriptions"></div>
<ol id="events" aria-label="Subscriptions started"></ol></main>
<script>document.addEventListener("recur-subscribed", (event) => {
  const item = document.createElement("li");
  item.textContent = event.detail.contractAddress + " " + event.detail.status;
  document.getElementById("events").append(item);
});</script>
<script src="${stack.url}/recur-widget.js" data-token="ct_e30.${"A".repeat(43)}" data-target="#subscriptions"
  data-token-url="/recur/customer-token" data-lang="en" async></script>
</body></html>`);
    });
    await new Promise<void>((resolve, reject) => {
      embedder.server?.once("error", reject);
      embedder.server?.listen(Number(new URL(embedder.origin).port), "127.0.0.1", resolve);
    });

    // Weekly news bills in tUSD, an 18-decimal token: 100 of it
    const widgetPayer = await stack.platform.newPayer(100n * 10n ** 18n);
    const { page, wallet } = await openPage(widgetPayer);
    const platformCalls: { url: URL; authorization: string | undefined }[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === new URL(stack.platform.server.url).origin && request.method() !== "OPTIONS") {
        platformCalls.push({ url, authorization: request.headers().authorization });
      }
    });
    const siteCalls: URL[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin === stack.url && url.pathname.startsWith("/api/")) siteCalls.push(url);
    });
    await page.goto(embedder.origin);
    const widget = page.frameLocator('iframe[title="Subscriptions"]');
    await widget.getByRole("heading", { name: "Choose a plan" }).waitFor();
    assert.equal(tokensMinted, 1, "the expired token was renewed through the embedding page, once");
    assert.equal(await widget.getByTestId("brand").textContent(), "Demo merchant");
    assert.ok(await widget.getByRole("heading", { name: "Weekly news" }).isVisible());
    assert.equal(await widget.getByRole("heading", { name: "Unreleased" }).count(), 0, "a draft plan is not offered");
    // the frame grew to its content: no scroll bar inside the embedding page's frame
    const frameHeight = await page.locator("iframe").evaluate((frame) => frame.getBoundingClientRect().height);
    assert.ok(frameHeight >= 600, `frame ${frameHeight}px`);
    await look(page, "widget-01-plans");

    await widget.getByRole("button", { name: "Subscribe to Weekly news" }).click();
    await widget.getByRole("region", { name: "What you agree to" }).waitFor();
    await chooseTestWallet(widget);
    await widget.getByTestId("balance").waitFor();
    await look(page, "widget-02-terms");
    const connected = wallet.calls.length;
    await widget.getByRole("button", { name: "Subscribe" }).click();
    await widget.locator(".done, .error").first().waitFor({ timeout: 90_000 });
    assert.equal(await widget.locator(".error").count(), 0, (await widget.locator(".error").allTextContents()).join());
    assert.deepEqual(promptsIn(wallet.calls.slice(connected)), ["eth_sendTransaction"], "one approve, nothing else");
    await look(page, "widget-03-subscribed");

    // the embedding page heard of it, and the platform has it as the token's customer's, paid by this wallet
    await page.locator("#events li").first().waitFor();
    const [contractAddress, status] = ((await page.locator("#events li").first().textContent()) ?? "").split(" ");
    assert.equal(status, "Active");
    const created = await merchant.getSubscription(contractAddress ?? "");
    assert.equal(created.customerId, customerId);
    assert.equal(created.payer, widgetPayer.address);
    assert.equal(created.planId, stack.plans.usd.id);

    // and the widget lists it, managed from the wallet that pays
    await widget.getByRole("button", { name: "All plans" }).click();
    const card = widget.getByRole("article", { name: contractAddress });
    await card.waitFor();
    assert.equal(await card.getByRole("heading", { level: 2 }).textContent(), "Weekly news");
    assert.equal(await card.getByTestId("status").textContent(), "Active");
    await card.getByRole("button", { name: "Pause" }).click();
    await card.locator(`[data-action-status="confirmed"]`).waitFor({ timeout: 90_000 });
    await stack.platform.waitFor("the pause", async () =>
      (await merchant.getSubscription(contractAddress ?? "")).status === "Paused" ? true : undefined,
    );
    await widget
      .locator(`article[aria-label="${contractAddress}"] [data-testid="status"]`, { hasText: "Paused" })
      .waitFor();
    await look(page, "widget-04-manage");

    // the widget spoke to the platform with the customer token only, and to this site's signing proxy not at all
    assert.ok(platformCalls.length > 0);
    for (const call of platformCalls) {
      if (!call.url.pathname.startsWith("/integration/")) continue;
      assert.match(call.authorization ?? "", /^Bearer ct_/, `${call.url.pathname} carried the customer token`);
    }
    assert.deepEqual(
      [...new Set(siteCalls.map((url) => url.pathname))],
      ["/api/config"],
      "only the public configuration",
    );
  });

  it("lets only the configured embedding origins frame the widget, and no page frame anything else", async () => {
    const embed = await fetch(`${stack.url}/embed`);
    assert.match(
      embed.headers.get("content-security-policy") ?? "",
      new RegExp(`frame-ancestors ${embedder.origin}(;|$)`),
    );
    assert.equal(embed.headers.get("x-frame-options"), null);
    for (const page of ["/", "/portal", `/subscribe/${stack.plans.usd.id}`, "/admin"]) {
      const answer = await fetch(`${stack.url}${page}`);
      assert.match(answer.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, page);
      assert.equal(answer.headers.get("x-frame-options"), "DENY", page);
    }
    // a page of another origin framing it is refused by the browser: the frame stays empty
    const other = await openPage(payer);
    try {
      await other.page.route("http://stranger.example/", (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><title>x</title><iframe title="w" src="${stack.url}/embed#token=x&host=http://stranger.example"></iframe>`,
        }),
      );
      // the page's load waits for its frame's
      await other.page.goto("http://stranger.example/", { waitUntil: "load" });
      const frames = other.page.frames().filter((frame) => frame !== other.page.mainFrame());
      assert.equal(frames.length, 1);
      const rendered = await frames[0]?.locator("#root").count();
      assert.equal(rendered, 0, `the widget's page rendered in a stranger's frame (${frames[0]?.url()})`);
    } finally {
      await other.page.context().close();
    }
  });

  it("lets the merchant's admin create and activate a plan, which visitors then see", async () => {
    const { page } = await openPage(admin);
    await page.goto(`${stack.url}/admin?lang=en`);
    await chooseTestWallet(page);
    await page.getByRole("button", { name: "Sign in with your wallet" }).click();
    const plans = page.getByRole("region", { name: "Plans" });
    await plans.waitFor();
    await plans.getByLabel("Name").fill("Family");
    await plans.getByLabel("Amount").fill("4.5");
    await plans.getByLabel("Token").selectOption("tUSDC");
    await plans.getByLabel("Every").selectOption("Month");
    await plans.getByLabel("Charges at most").fill("6");
    await plans.getByRole("button", { name: "Create the plan" }).click();
    const row = plans.getByRole("row").filter({ hasText: "Family" });
    await row.getByTestId("plan-status").filter({ hasText: "Draft" }).waitFor();
    await look(page, "admin-01-created");
    await row.getByRole("button", { name: "Activate Family" }).click();
    await row.getByTestId("plan-status").filter({ hasText: "Active" }).waitFor();
    await page.getByTestId("gas-wallet").first().waitFor();
    await look(page, "admin-02-activated");

    const merchant = stack.platform.server.merchant.client;
    const { plans: active } = await merchant.listPlans({ statusIn: "Active" });
    const family = active.find((plan) => plan.name === "Family");
    assert.ok(family, "the platform has the plan, Active");
    assert.equal(family.amount, "4.5 tUSDC");
    assert.equal(family.maxPeriods, 6);
    await page.goto(`${stack.url}/?lang=en`);
    await page.getByRole("link", { name: "Family" }).waitFor();
  });

  it("lets the merchant's admin revoke an API key after confirming, but never this site's own", async () => {
    const site = stack.platform.server.merchant;
    const first = await site.client.rotateApiKey();
    const firstClient = new RecurClient(stack.platform.server.url, first);
    await firstClient.rotateApiKey();
    const label = `${first.apiKey.slice(0, 7)}…`;

    const { page } = await openPage(admin);
    await page.goto(`${stack.url}/admin?lang=en`);
    await chooseTestWallet(page);
    await page.getByRole("button", { name: "Sign in with your wallet" }).click();
    const keys = page.getByRole("region", { name: "API keys" });
    await keys.getByTestId("api-key").nth(2).waitFor();
    const siteRow = keys.getByRole("row").filter({ hasText: "This site's key" });
    assert.equal(await siteRow.getByRole("button").count(), 0, "this site's key cannot be revoked here");

    const row = keys.getByRole("row").filter({ hasText: label });
    await row.getByRole("button", { name: `Revoke ${label}` }).click();
    const question = row.getByRole("group", { name: /Revoke .*\? Anything still using it stops working at once/ });
    await question.waitFor();
    await look(page, "admin-03-revoke-confirm");
    await question.getByRole("button", { name: "Keep it" }).click();
    await question.waitFor({ state: "detached" });
    assert.ok((await firstClient.listPlans()).plans, "kept: it still works");

    await row.getByRole("button", { name: `Revoke ${label}` }).click();
    await question.getByRole("button", { name: "Yes, revoke it" }).click();
    await keys.locator(`[data-status="Revoked"]`).filter({ hasText: label }).waitFor();
    await look(page, "admin-04-revoked");
    await assert.rejects(firstClient.listPlans(), { status: 401 }, "the revoked key stops working at once");
  });
});
