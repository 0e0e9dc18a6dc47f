import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { type Address, getAddress } from "viem";
import { RecurClient } from "../../server/client/RecurClient.js";
import { loadConfig } from "../../server/config/loadConfig.js";
import type { OpenDatabase } from "../../server/db/openDatabase.js";
import { createMerchant } from "../../server/domain/merchants.js";
import { createServices, type Services } from "../../server/domain/Services.js";
import type { HostResolver } from "../../server/domain/webhookTarget.js";
import { buildApp } from "../../server/http/buildApp.js";
import { openTestDatabase } from "./openTestDatabase.js";

/** A merchant created for a test, with its one-time API secret. */
export interface TestMerchant {
  merchantId: string;
  apiKey: string;
  apiSecret: string;
  payout: Address;
  gasWallet: Address;
  client: RecurClient;
}

export interface TestServer {
  url: string;
  /** The configuration it was started with (the same variables start a worker process on the same data). */
  env: Record<string, string>;
  services: Services;
  database: OpenDatabase;
  /** A merchant with a payout address and gas wallet on the local chain. */
  merchant: TestMerchant;
  /** Another merchant, to check that merchants never see each other's data. */
  otherMerchant: TestMerchant;
  /** Moves the server's clock (the signing client keeps real time). */
  advanceClock(seconds: number): void;
  /** How many rows each table holds: what a refused request must leave unchanged. */
  rowCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const TABLES = [
  "merchants",
  "merchant_chains",
  "api_keys",
  "plans",
  "subscriptions",
  "charges",
  "checkout_sessions",
  "idempotency_keys",
  "outbox_events",
  "subscription_requests",
  "chain_hints",
];

let accountSeed = 0x5000;
function testAddress(): Address {
  return getAddress(`0x${(accountSeed++).toString(16).padStart(40, "0")}`);
}

/**
 * The real API on a fresh database, listening on 127.0.0.1 at a free port, with two merchants. `env` adds or
 * overrides configuration variables; `options.resolveHost` replaces the system's resolver for webhook hosts.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { resolveHost?: HostResolver } = {},
): Promise<TestServer> {
  const variables: Record<string, string> = {
    RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
    RECUR_LOG_LEVEL: "silent",
    ...env,
  };
  const config = loadConfig(variables);
  const database = await openTestDatabase();
  if (database.url) variables.DATABASE_URL = database.url;
  let offsetMs = 0;
  const services = createServices(database.db, config, () => new Date(Date.now() + offsetMs), options);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let url: string;
  try {
    app = await buildApp({ services });
    await app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } catch (error) {
    // nothing started may outlive a start that failed
    await app?.close();
    await database.close();
    throw error;
  }
  const listening = app;

  async function merchant(name: string): Promise<TestMerchant> {
    const payout = testAddress();
    const gasWallet = testAddress();
    const created = await createMerchant(database.db, services.apiSecrets, {
      name,
      webhookUrl: null,
      chains: [{ chainId: 31337, payoutAddress: payout, gasWalletAddress: gasWallet }],
    });
    return { ...created, payout, gasWallet, client: new RecurClient(url, created) };
  }

  let merchants: [TestMerchant, TestMerchant];
  try {
    merchants = [await merchant("Test Shop"), await merchant("Other Shop")];
  } catch (error) {
    await listening.close();
    await database.close();
    throw error;
  }

  return {
    url,
    env: variables,
    services,
    database,
    merchant: merchants[0],
    otherMerchant: merchants[1],
    advanceClock(seconds) {
      offsetMs += seconds * 1000;
    },
    async rowCounts() {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(sql.raw(table));
        counts[table] = Number(row?.n);
      }
      return counts;
    },
    async close() {
      await listening.close();
      await database.close();
    },
  };
}

/** A fresh payer address for a test. */
export function newPayer(): Address {
  return testAddress();
}
