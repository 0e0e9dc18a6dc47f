import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Address } from "viem";
import type { PlanResource } from "../../../server/schemas/plans.js";
import { freePort } from "../../../stack/freePort.js";
import { type Platform, startPlatform } from "../../../test/support/startPlatform.js";
import { buildWebApp } from "../../server/buildWebApp.js";
import type { WebConfig } from "../../server/config/loadWebConfig.js";

/** The web server in front of a real platform, with the merchant's Active plans. */
export interface WebStack {
  platform: Platform;
  web: FastifyInstance;
  /** Where the web server listens, e.g. `http://127.0.0.1:41234`. */
  url: string;
  config: WebConfig;
  plans: {
    usd: PlanResource;
    usdt: PlanResource;
    usdc: PlanResource;
    susd: PlanResource;
    dai: PlanResource;
    draft: PlanResource;
  };
  /**
   * Another web server on the same platform and merchant, with a configuration of the test's own, at a free port
   * that is its public origin unless `overrides` names another.
   */
  startWeb(overrides: Partial<WebConfig>): Promise<{ web: FastifyInstance; url: string }>;
  stop(): Promise<void>;
}

/**
 * A `hardhat node` with the contracts, the platform API with its worker on a fresh database, a merchant with three
 * Active plans (one per test token kind) and one plan left a draft, and the web server signing for that merchant,
 * all on 127.0.0.1 at free ports. `distDir` serves a built app too; `adminAddresses` may use the admin routes;
 * `embedOrigins` may frame the widget.
 */
export async function startWebStack(
  options: { distDir?: string | null; adminAddresses?: Address[]; embedOrigins?: string[] } = {},
): Promise<WebStack> {
  // the platform links its hosted checkout to this web server and lets its pages read sessions (CORS)
  const webPort = await freePort();
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const platform = await startPlatform({
    RECUR_CHECKOUT_URL: `${webOrigin}/checkout/`,
    RECUR_CHECKOUT_ORIGINS: webOrigin,
  });
  const started: FastifyInstance[] = [];
  try {
    const merchant = platform.server.merchant.client;
    const activePlan = async (input: Parameters<typeof merchant.createPlan>[0]) =>
      merchant.activatePlan((await merchant.createPlan(input)).id);
    const plans = {
      usd: await activePlan({ name: "Weekly news", amount: "2.50 tUSD", interval: "Week", maxPeriods: 52 }),
      usdt: await activePlan({ name: "Basic", amount: "5 tUSDT", interval: "Month", maxPeriods: 6 }),
      usdc: await activePlan({ name: "Pro", amount: "9.99 tUSDC", interval: "Month", maxPeriods: 12 }),
      // a token with USDC's bytes-signature permit: smart accounts sign for it too
      susd: await activePlan({ name: "Team", amount: "3 tSUSD", interval: "Month", maxPeriods: 12 }),
      // DAI's permit: a signature with no amount
      dai: await activePlan({ name: "Digest", amount: "1.5 tDAI", interval: "Week", maxPeriods: 8 }),
      draft: await merchant.createPlan({ name: "Unreleased", amount: "1 tUSD", interval: "Day" }),
    };
    const config: WebConfig = {
      platformUrl: platform.server.url,
      apiKey: platform.server.merchant.apiKey,
      apiSecret: platform.server.merchant.apiSecret,
      http: { host: "127.0.0.1", port: webPort },
      publicOrigin: webOrigin,
      sessionSecret: randomBytes(32).toString("hex"),
      adminAddresses: options.adminAddresses ?? [],
      rpcUrls: new Map([[31337, platform.node.url]]),
      publicPlatformUrl: platform.server.url,
      distDir: options.distDir ?? null,
      walletConnectProjectId: null,
      allowedOrigins: ["https://shop.example"],
      embedOrigins: options.embedOrigins ?? [],
      rateLimit: { perMinute: 10_000, authPerMinute: 1_000 },
      trustProxy: [],
      logLevel: "silent",
    };
    const startWeb = async (overrides: Partial<WebConfig>, port?: number) => {
      const at = port ?? (await freePort());
      const web = await buildWebApp({
        ...config,
        http: { host: "127.0.0.1", port: at },
        publicOrigin: `http://127.0.0.1:${at}`,
        ...overrides,
      });
      started.push(web);
      await web.listen({ host: "127.0.0.1", port: at });
      return { web, url: `http://127.0.0.1:${(web.server.address() as AddressInfo).port}` };
    };
    const { web, url } = await startWeb({}, webPort);
    return {
      platform,
      web,
      url,
      config,
      plans,
      startWeb,
      async stop() {
        for (const app of started) await app.close();
        await platform.stop();
      },
    };
  } catch (error) {
    for (const app of started) await app.close();
    await platform.stop();
    throw error;
  }
}
