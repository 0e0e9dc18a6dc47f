import { CustomerTokens } from "../auth/customerTokens.js";
import { SecretBox } from "../auth/secretBox.js";
import { ChainClock } from "../chain/ChainClock.js";
import type { Config } from "../config/loadConfig.js";
import type { Database } from "../db/openDatabase.js";
import { type HostResolver, systemResolver } from "./webhookTarget.js";

/** What the API and the worker share: the database, the configuration and the helpers built from it. */
export interface Services {
  db: Database;
  config: Config;
  /** Encrypts API secrets at rest. */
  apiSecrets: SecretBox;
  /** Encrypts stored responses that hold a secret (an idempotent key rotation). */
  responseSecrets: SecretBox;
  customerTokens: CustomerTokens;
  /** The current time; tests may move it. */
  now(): Date;
  /** A chain's own time, by which subscriptions fall due and drafts expire. */
  chainClock(chainId: number): ChainClock;
  /** Resolves webhook hosts, when their URL is set and before every delivery (the system's resolver). */
  resolveHost: HostResolver;
}

/**
 * Builds the {@link Services} for `config` over an open database. `options.resolveHost` replaces the system's
 * resolver (a test resolves names as a rebinding attacker's DNS would).
 */
export function createServices(
  db: Database,
  config: Config,
  now: () => Date = () => new Date(),
  options: { resolveHost?: HostResolver } = {},
): Services {
  const clocks = new Map(config.chains.chains.map((chain) => [chain.chainId, new ChainClock()]));
  return {
    chainClock(chainId) {
      const clock = clocks.get(chainId);
      if (!clock) throw new Error(`no chain ${chainId} in the registry`);
      return clock;
    },
    db,
    config,
    apiSecrets: new SecretBox(config.secretKey, "api-secrets"),
    responseSecrets: new SecretBox(config.secretKey, "idempotent-responses"),
    customerTokens: new CustomerTokens(config.secretKey),
    now,
    resolveHost: options.resolveHost ?? systemResolver,
  };
}
