import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  parseUnits,
  type Transport,
  toHex,
} from "viem";
import { type HDAccount, mnemonicToAccount } from "viem/accounts";
import { build } from "vite";
import { writeMerchantProfile } from "../cli/merchantProfile.js";
import { standardTokenAbi } from "../generated/abis.js";
import type { TokenConfig } from "../server/chain/ChainRegistry.js";
import { localViemChain } from "../server/chain/localChain.js";
import { type Environment, loadConfig } from "../server/config/loadConfig.js";
import { setBranding } from "../server/domain/branding.js";
import { createMerchant, type IssuedApiKey } from "../server/domain/merchants.js";
import { createPlan, type PlanInput, setPlanStatus } from "../server/domain/plans.js";
import { type RunningServer, startServer } from "../server/startServer.js";
import { buildWebApp } from "../web/server/buildWebApp.js";
import { loadWebConfig } from "../web/server/config/loadWebConfig.js";
import { deployLocalContracts } from "./deployLocalContracts.js";
import { type HardhatNode, startHardhatNode } from "./startHardhatNode.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Hardhat's well-known test mnemonic: its accounts are funded on every local chain and worthless anywhere else. */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";
const testAccount = (index: number) => mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index });
const DEPLOYER = testAccount(0);
const PAYOUT = testAccount(1);
const GAS_WALLET = testAccount(2);
const PAYERS = [3, 4, 5].map(testAccount);
/** The merchant's own wallet: the payout address, and the wallet that signs in to the admin page. */
const MERCHANT_WALLET = PAYOUT;
/** Where the worker reads the demo gas wallet's key from (this process's environment, never the database). */
const GAS_WALLET_KEY_VARIABLE = "RECUR_DEMO_GAS_WALLET_KEY";

/** The demo merchant's support link, in its payer pages' footer. */
export const DEMO_SUPPORT_URL = "mailto:support@demo-merchant.example";

/**
 * The demo merchant's plans, all Active. Each has a grace period, as a real merchant's would: a charge that fails (an
 * allowance revoked, a balance short) is retried on the ladder and the payer can top up before the subscription is
 * cancelled, instead of losing it at the first failure.
 */
export const DEMO_PLANS: PlanInput[] = [
  {
    name: "Pro",
    description: "Monthly, paid in tUSDC (supports permit)",
    amount: "9.99 tUSDC",
    interval: "Month",
    frequency: 1,
    maxPeriods: 12,
    gracePeriodSeconds: 7 * 86_400,
  },
  {
    name: "Basic",
    description: "Weekly, paid in tUSDT (approve 0 first)",
    amount: "2.50 tUSDT",
    interval: "Week",
    gracePeriodSeconds: 3 * 86_400,
  },
  {
    name: "Every five minutes",
    description: "Watch the keeper charge in real time, in tUSD",
    amount: "0.10 tUSD",
    periodSeconds: 300,
    maxPeriods: 24,
    // three periods: long enough to see a failed charge retried and recovered by a top-up
    gracePeriodSeconds: 900,
  },
];

/** A test payer: one of Hardhat's public accounts, holding 1,000 of every test token. */
export interface TestPayer {
  address: Address;
  key: Hex;
}

/** Everything {@link startLocalStack} started and created. */
export interface LocalStack {
  api: string;
  chain: Chain;
  client: PublicClient<Transport, Chain>;
  node: HardhatNode;
  server: RunningServer;
  dataDir: string;
  /** The command line's profile for the demo merchant. */
  profile: string;
  merchant: IssuedApiKey & { merchantId: string };
  /** The merchant's site: the signing proxy serving the dApp (checkout, portal, admin); absent without `webPort`. */
  web?: { url: string; adminWallet: TestPayer };
  plans: { id: string; name: string; amount: string }[];
  payers: TestPayer[];
  /** Stops the API, the worker and the chain. Safe to call twice. */
  stop(): Promise<void>;
}

function keyOf(account: HDAccount): Hex {
  return toHex(account.getHdKey().privateKey ?? new Uint8Array());
}

/**
 * The platform on this machine, on the embedded defaults: a `hardhat node` on 127.0.0.1:`chainPort` with the
 * factory and the test tokens, a fresh embedded database in `dataDir` (emptied first: the chain starts empty too), a
 * demo merchant with Active plans whose gas wallet is ready before the worker starts, test payers with tokens, and
 * the API with its worker on 127.0.0.1:`port`. Used by `npm start` and `npm run demo`.
 */
export async function startLocalStack(options: {
  /** The environment of the process (`npm start`'s, `npm run demo`'s): `RECUR_LOG_LEVEL` and the like. */
  env: Environment;
  port: number;
  chainPort: number;
  dataDir: string;
  /** Where the merchant's site listens; no site without it. */
  webPort?: number;
  progress?: (step: string) => void;
}): Promise<LocalStack> {
  const progress = options.progress ?? (() => {});
  let node: HardhatNode | undefined;
  let server: RunningServer | undefined;
  let web: FastifyInstance | undefined;
  const stop = async () => {
    await web?.close();
    await server?.stop();
    await node?.stop();
  };
  const webUrl = options.webPort === undefined ? undefined : `http://127.0.0.1:${options.webPort}`;
  try {
    progress("Starting the local chain");
    node = await startHardhatNode({ port: options.chainPort });
    progress("Deploying the factory and the test tokens");
    await deployLocalContracts(node.url);

    const dataDir = path.resolve(options.dataDir);
    await rm(dataDir, { recursive: true, force: true });
    const logLevel = options.env.RECUR_LOG_LEVEL ?? "warn";
    const config = loadConfig({
      ...options.env,
      // the demo merchant's gas wallet key source (env:NAME) names this variable
      [GAS_WALLET_KEY_VARIABLE]: keyOf(GAS_WALLET),
      // a key for this run only: the database it protects is thrown away at the next start
      RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
      RECUR_DATA_DIR: dataDir,
      RECUR_HOST: "127.0.0.1",
      RECUR_PORT: String(options.port),
      RECUR_LOCAL_CHAIN: "on",
      RECUR_LOCAL_RPC_URL: node.url,
      DATABASE_URL: undefined,
      RECUR_LOG_LEVEL: logLevel,
      // everything here is on this machine, the demo's own webhook receiver included
      RECUR_WEBHOOK_ALLOW_PRIVATE: "on",
      // the hosted checkout page is the merchant's site, which may read checkout sessions from the browser
      ...(webUrl ? { RECUR_CHECKOUT_URL: `${webUrl}/checkout/`, RECUR_CHECKOUT_ORIGINS: webUrl } : {}),
    });
    const local = config.chains.chainById(31337);
    if (!local) throw new Error("the built-in local chain is missing from the chain registry");
    const chain = localViemChain(node.url);
    const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100, cacheTime: 0 });

    progress("Giving the test payers tokens");
    await fundPayers(client, local.tokens);

    progress("Starting the API and the worker on the embedded database");
    let merchant: LocalStack["merchant"] | undefined;
    const plans: LocalStack["plans"] = [];
    server = await startServer(config, async (services) => {
      const created = await createMerchant(services.db, services.apiSecrets, {
        name: "Demo merchant",
        chains: [
          {
            chainId: 31337,
            payoutAddress: PAYOUT.address,
            gasWalletAddress: GAS_WALLET.address,
            gasWalletKey: `env:${GAS_WALLET_KEY_VARIABLE}`,
          },
        ],
      });
      // branded out of the box: the site's own icon as the logo (a loopback http URL, which only local use may have)
      await setBranding(services.db, created.merchantId, {
        displayName: "Demo merchant",
        supportUrl: DEMO_SUPPORT_URL,
        ...(webUrl ? { logoUrl: `${webUrl}/favicon.svg` } : {}),
      });
      for (const input of DEMO_PLANS) {
        const plan = await services.db.transaction(async (tx) => {
          const draft = await createPlan(tx, services, created.merchantId, input);
          return setPlanStatus(tx, services, created.merchantId, draft.id, "Active");
        });
        plans.push({ id: plan.id, name: plan.name, amount: input.amount });
      }
      merchant = created;
    });
    if (!merchant) throw new Error("the demo merchant was not created");
    const api = server.url ?? `http://127.0.0.1:${options.port}`;
    // the command line's profile for the demo merchant, thrown away with the rest of the data directory
    const profile = path.join(dataDir, "merchant.json");
    await writeMerchantProfile(profile, { apiUrl: api, ...merchant });

    if (webUrl && options.webPort !== undefined) {
      progress("Building the web app and starting the merchant's site (the signing proxy)");
      await build({ configFile: path.join(projectRoot, "web", "vite.config.ts"), logLevel: "error" });
      const webConfig = loadWebConfig({
        RECUR_API_URL: api,
        RECUR_API_KEY: merchant.apiKey,
        RECUR_API_SECRET: merchant.apiSecret,
        WEB_SESSION_SECRET: randomBytes(32).toString("hex"),
        WEB_RPC_URLS: `31337=${node.url}`,
        WEB_HOST: "127.0.0.1",
        WEB_PORT: String(options.webPort),
        // the address npm start prints: sign-in and the write check accept this origin only
        WEB_PUBLIC_ORIGIN: webUrl,
        WEB_ADMIN_ADDRESSES: MERCHANT_WALLET.address,
        WEB_LOG_LEVEL: logLevel,
      });
      web = await buildWebApp(webConfig);
      await web.listen({ host: "127.0.0.1", port: options.webPort });
    }

    const payers = PAYERS.map((account) => ({ address: account.address, key: keyOf(account) }));
    const site = webUrl
      ? { url: webUrl, adminWallet: { address: MERCHANT_WALLET.address, key: keyOf(MERCHANT_WALLET) } }
      : undefined;
    return {
      api,
      chain,
      client,
      node,
      server,
      dataDir,
      profile,
      merchant,
      plans,
      payers,
      ...(site ? { web: site } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Gives each test payer (Hardhat funds them with ETH already) 1,000 of every test token. */
async function fundPayers(client: PublicClient<Transport, Chain>, tokens: readonly TokenConfig[]): Promise<void> {
  const minter = createWalletClient({ account: DEPLOYER, chain: client.chain, transport: http(client.transport.url) });
  for (const token of tokens) {
    for (const payer of PAYERS) {
      const hash = await minter.writeContract({
        address: token.address,
        abi: standardTokenAbi,
        functionName: "mint",
        args: [payer.address, parseUnits("1000", token.decimals)],
      });
      await client.waitForTransactionReceipt({ hash });
    }
  }
}
