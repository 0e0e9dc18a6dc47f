import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { parseEther, parseGwei } from "viem";
import { z } from "zod";
import { ChainRegistry } from "../chain/ChainRegistry.js";
import { localChain } from "../chain/localChain.js";
import { chainsFileSchema } from "./chainsFileSchema.js";
import { originList } from "./originList.js";

/** The server's configuration, read and validated once at start by {@link loadConfig}. */
export interface Config {
  /** 32 bytes from which the keys encrypting secrets at rest and signing customer tokens are derived. */
  secretKey: Uint8Array;
  database: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };
  http: { host: string; port: number };
  chains: ChainRegistry;
  /** How far `x-api-ts` may be from the server's clock, seconds. */
  signatureWindowSeconds: number;
  /** How long a draft can be activated, seconds (its `activateBy`). */
  draftLifetimeSeconds: number;
  customerTokenTtlSeconds: number;
  /** Base URL of the hosted checkout page; a session's `url` is this plus its id. */
  checkoutUrl: string;
  /** The web origins of the payer pages (hosted checkout, embedded widget) that may call the API from a browser (CORS). */
  checkoutOrigins: string[];
  /**
   * Whether webhook URLs may point at loopback, private, link-local and other non-public addresses: for local
   * development only, off by default (a merchant could otherwise probe the platform's internal network).
   */
  allowPrivateWebhooks: boolean;
  /** Requests per minute one client address may make to the unauthenticated `hint-update-state` route. */
  hintRateLimitPerMinute: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Which parts this process runs: the HTTP API, the worker, or both (the default). */
  roles: { api: boolean; worker: boolean };
  worker: WorkerConfig;
  /** Requests allowed per window; `null` turns a limit off. */
  rateLimit: {
    /** Per API key, and per merchant and customer for customer tokens. */
    perKey: number | null;
    /** Per client address: public routes, and requests whose credentials fail. */
    perAddress: number | null;
    windowSeconds: number;
  };
  /**
   * The reverse proxies (addresses, CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`) whose
   * `X-Forwarded-For` names the client; empty: the client is the connection's peer, and the header is ignored.
   */
  trustProxy: string[];
  /**
   * The variables of the environment {@link loadConfig} was given, read once at start: where an `env:NAME` gas wallet
   * key source is found. The names come from the merchants' chain settings, so they are only known as the worker
   * reads them; nothing reads the process's environment after start.
   */
  keyVariables: ReadonlyMap<string, string>;
}

/** How the worker charges, retries, reminds and delivers. */
export interface WorkerConfig {
  /** Seconds between failed charge attempts, rung by rung (the last repeats). */
  retryLadder: number[];
  /** How long before a charge its `UpcomingCharge` reminder goes out, seconds. */
  reminderLeadSeconds: number;
  /** How long a worker's claim on a piece of work holds, seconds. */
  leaseSeconds: number;
  /** Subscriptions per `chargeMany` transaction. */
  batchSize: number;
  /** A gas wallet below this many wei is low. */
  lowGasBalanceWei: bigint;
  /** How often idle loops look for work, milliseconds. */
  pollMs: number;
  webhooks: { firstRetrySeconds: number; maxDelaySeconds: number; giveUpAfterSeconds: number; timeoutMs: number };
}

/** Variables by name, as a process's environment holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A configuration problem that stops the process; the message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const seconds = (name: string, fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return fallback;
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be a whole number of seconds from 1 to ${max}, not "${value}"`,
        });
        return z.NEVER;
      }
      return n;
    });

/** `90`, `90s`, `15m`, `6h`, `3d` as seconds. */
export function durationSeconds(value: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match?.[1]) return undefined;
  const unit = { "": 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] ?? ""] ?? 1;
  return Number(match[1]) * unit;
}

const duration = (name: string, fallback: string, min = 1) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = durationSeconds(value);
      if (seconds === undefined || seconds < min) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be a duration like 90, 90s, 15m, 6h or 3d (at least ${min} s), not "${value}"`,
        });
        return z.NEVER;
      }
      return seconds;
    });

const count = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < min || n > max) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be a whole number from ${min} to ${max}, not "${value}"`,
        });
        return z.NEVER;
      }
      return n;
    });

/** A request limit per window: a whole number, or `off`. */
const limit = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      if (value === "off") return null;
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 10_000_000) {
        ctx.addIssue({
          code: "custom",
          message: `${name} must be a number of requests from 1 to 10000000, or off, not "${value}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];

/** An address, a CIDR range of addresses, or one of proxy-addr's names (what Fastify's `trustProxy` takes). */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const environment = z.object({
  RECUR_SECRET_KEY: z.string().optional(),
  RECUR_SECRET_KEY_FILE: z.string().optional(),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((url) => !url || /^postgres(ql)?:\/\//.test(url), {
      message: "DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)",
    }),
  RECUR_DATA_DIR: z.string().default(".recur"),
  RECUR_HOST: z.string().default("127.0.0.1"),
  RECUR_PORT: z
    .string()
    .default("8787")
    .refine((port) => /^\d+$/.test(port) && Number(port) <= 65_535, {
      message: "RECUR_PORT must be a port number from 0 to 65535",
    })
    .transform(Number),
  RECUR_LOCAL_CHAIN: z.enum(["on", "off"], { message: 'RECUR_LOCAL_CHAIN must be "on" or "off"' }).default("on"),
  RECUR_LOCAL_RPC_URL: z
    .url({ message: "RECUR_LOCAL_RPC_URL must be an http(s) URL" })
    .default("http://127.0.0.1:8545"),
  RECUR_CHAINS_FILE: z.string().optional(),
  RECUR_SIGNATURE_WINDOW_SECONDS: seconds("RECUR_SIGNATURE_WINDOW_SECONDS", 300, 3_600),
  RECUR_DRAFT_LIFETIME_SECONDS: seconds("RECUR_DRAFT_LIFETIME_SECONDS", 86_400, 30 * 86_400),
  RECUR_CUSTOMER_TOKEN_TTL_SECONDS: seconds("RECUR_CUSTOMER_TOKEN_TTL_SECONDS", 900, 86_400),
  RECUR_CHECKOUT_URL: z
    .url({ message: "RECUR_CHECKOUT_URL must be the http(s) URL of the hosted checkout page" })
    .default("http://127.0.0.1:5173/checkout/"),
  RECUR_CHECKOUT_ORIGINS: originList("RECUR_CHECKOUT_ORIGINS", "https://pay.example.com"),
  RECUR_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "RECUR_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  RECUR_ROLES: z
    .string()
    .default("api,worker")
    .transform((value, ctx) => {
      const roles = value.split(",").map((role) => role.trim());
      if (roles.length === 0 || roles.some((role) => role !== "api" && role !== "worker")) {
        ctx.addIssue({ code: "custom", message: `RECUR_ROLES must be api, worker or api,worker, not "${value}"` });
        return z.NEVER;
      }
      return { api: roles.includes("api"), worker: roles.includes("worker") };
    }),
  RECUR_RETRY_LADDER: z
    .string()
    .default("1h,6h,24h,72h")
    .transform((value, ctx) => {
      const rungs = value.split(",").map(durationSeconds);
      if (rungs.length === 0 || rungs.some((rung) => rung === undefined || rung < 1)) {
        ctx.addIssue({
          code: "custom",
          message: `RECUR_RETRY_LADDER must be durations like 1h,6h,24h,72h, not "${value}"`,
        });
        return z.NEVER;
      }
      return rungs as number[];
    }),
  RECUR_REMINDER_LEAD: duration("RECUR_REMINDER_LEAD", "24h"),
  RECUR_LEASE: duration("RECUR_LEASE", "60s", 5),
  RECUR_KEEPER_BATCH: count("RECUR_KEEPER_BATCH", 100, 1, 500),
  RECUR_GAS_LOW_BALANCE: z
    .string()
    .default("0.05")
    .refine((value) => /^\d+(\.\d{1,18})?$/.test(value), {
      message: "RECUR_GAS_LOW_BALANCE must be an amount of the native coin, like 0.05",
    }),
  RECUR_POLL_MS: count("RECUR_POLL_MS", 1_000, 20, 60_000),
  RECUR_WEBHOOK_FIRST_RETRY: duration("RECUR_WEBHOOK_FIRST_RETRY", "10s"),
  RECUR_WEBHOOK_MAX_DELAY: duration("RECUR_WEBHOOK_MAX_DELAY", "1h"),
  RECUR_WEBHOOK_GIVE_UP: duration("RECUR_WEBHOOK_GIVE_UP", "3d", 86_400),
  RECUR_WEBHOOK_ALLOW_PRIVATE: z
    .enum(["on", "off"], {
      message: 'RECUR_WEBHOOK_ALLOW_PRIVATE must be "on" (local development only) or "off" (the default)',
    })
    .default("off"),
  RECUR_HINT_RATE_LIMIT: count("RECUR_HINT_RATE_LIMIT", 20, 1, 10_000),
  RECUR_RATE_LIMIT_PER_KEY: limit("RECUR_RATE_LIMIT_PER_KEY", 6_000),
  RECUR_RATE_LIMIT_PER_ADDRESS: limit("RECUR_RATE_LIMIT_PER_ADDRESS", 600),
  RECUR_RATE_LIMIT_WINDOW: duration("RECUR_RATE_LIMIT_WINDOW", "1m"),
  RECUR_TRUST_PROXY: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const entries = value
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean);
      const bad = entries.find((entry) => !isProxyEntry(entry));
      if (bad !== undefined) {
        ctx.addIssue({
          code: "custom",
          message:
            `RECUR_TRUST_PROXY must list the addresses or CIDR ranges of your reverse proxies ` +
            `(e.g. 10.0.0.0/8,127.0.0.1), not "${bad}"`,
        });
        return z.NEVER;
      }
      return entries;
    }),
});

const SECRET_KEY_HELP = "64 hex characters (32 random bytes), for example the output of `openssl rand -hex 32`";

function readSecretKey(
  env: { RECUR_SECRET_KEY?: string | undefined; RECUR_SECRET_KEY_FILE?: string | undefined },
  problems: string[],
): Uint8Array {
  let hex = env.RECUR_SECRET_KEY;
  if (env.RECUR_SECRET_KEY_FILE) {
    try {
      hex = readFileSync(env.RECUR_SECRET_KEY_FILE, "utf8").trim();
    } catch {
      problems.push(`RECUR_SECRET_KEY_FILE: cannot read ${env.RECUR_SECRET_KEY_FILE}`);
      return new Uint8Array();
    }
  }
  if (!hex) {
    problems.push(`RECUR_SECRET_KEY is not set: set it (or RECUR_SECRET_KEY_FILE) to ${SECRET_KEY_HELP}`);
    return new Uint8Array();
  }
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    problems.push(`RECUR_SECRET_KEY is malformed: it must be ${SECRET_KEY_HELP}`);
    return new Uint8Array();
  }
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function readChains(env: z.infer<typeof environment>, variables: Environment, problems: string[]): ChainRegistry {
  const chains = env.RECUR_LOCAL_CHAIN === "on" ? [localChain(env.RECUR_LOCAL_RPC_URL)] : [];
  if (env.RECUR_CHAINS_FILE) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(env.RECUR_CHAINS_FILE, "utf8"));
    } catch (error) {
      problems.push(`RECUR_CHAINS_FILE: cannot read ${env.RECUR_CHAINS_FILE} as JSON (${(error as Error).message})`);
      return new ChainRegistry(chains);
    }
    const parsed = chainsFileSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`RECUR_CHAINS_FILE ${issue.path.join(".")}: ${issue.message}`);
      }
      return new ChainRegistry(chains);
    }
    for (const chain of parsed.data.chains) {
      const rpcUrl = chain.rpcUrlEnv ? variables[chain.rpcUrlEnv] : chain.rpcUrl;
      if (!rpcUrl) {
        problems.push(`RECUR_CHAINS_FILE chain ${chain.name}: its RPC URL variable ${chain.rpcUrlEnv} is not set`);
        continue;
      }
      const { maxFeePerGasGwei, rpcUrlEnv: _, ...rest } = chain;
      chains.push({
        ...rest,
        rpcUrl,
        ...(maxFeePerGasGwei === undefined ? {} : { maxFeePerGas: parseGwei(String(maxFeePerGasGwei)) }),
      });
    }
  }
  if (chains.length === 0) problems.push("no chains: set RECUR_LOCAL_CHAIN=on or list chains in RECUR_CHAINS_FILE");
  try {
    return new ChainRegistry(chains);
  } catch (error) {
    problems.push(`chains: ${(error as Error).message}`);
    return new ChainRegistry([]);
  }
}

/**
 * The deployment's secret key alone (`RECUR_SECRET_KEY` or `RECUR_SECRET_KEY_FILE`), for tools that need nothing else,
 * such as sealing a gas wallet key file. Throws a {@link ConfigError} naming the variable.
 */
export function loadSecretKey(env: Environment): Uint8Array {
  const problems: string[] = [];
  const secretKey = readSecretKey(env, problems);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
  return secretKey;
}

/**
 * Reads the configuration from `env` (the process entry passes its environment) once, at start: nothing else reads
 * the environment. Throws a {@link ConfigError} naming every missing or malformed variable, so the process can stop
 * before doing anything.
 */
export function loadConfig(env: Environment): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid configuration:\n${parsed.error.issues.map((issue) => `  - ${issue.message}`).join("\n")}`,
    );
  }
  const values = parsed.data;
  const problems: string[] = [];
  const secretKey = readSecretKey(values, problems);
  const chains = readChains(values, env, problems);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
  return {
    secretKey,
    database: values.DATABASE_URL
      ? { kind: "postgres", url: values.DATABASE_URL }
      : { kind: "pglite", dataDir: path.resolve(values.RECUR_DATA_DIR, "db") },
    http: { host: values.RECUR_HOST, port: values.RECUR_PORT },
    chains,
    signatureWindowSeconds: values.RECUR_SIGNATURE_WINDOW_SECONDS,
    draftLifetimeSeconds: values.RECUR_DRAFT_LIFETIME_SECONDS,
    customerTokenTtlSeconds: values.RECUR_CUSTOMER_TOKEN_TTL_SECONDS,
    checkoutUrl: values.RECUR_CHECKOUT_URL,
    // the hosted page's own origin, plus any other the operator names
    checkoutOrigins: [...new Set([new URL(values.RECUR_CHECKOUT_URL).origin, ...values.RECUR_CHECKOUT_ORIGINS])],
    allowPrivateWebhooks: values.RECUR_WEBHOOK_ALLOW_PRIVATE === "on",
    hintRateLimitPerMinute: values.RECUR_HINT_RATE_LIMIT,
    logLevel: values.RECUR_LOG_LEVEL,
    roles: values.RECUR_ROLES,
    worker: {
      retryLadder: values.RECUR_RETRY_LADDER,
      reminderLeadSeconds: values.RECUR_REMINDER_LEAD,
      leaseSeconds: values.RECUR_LEASE,
      batchSize: values.RECUR_KEEPER_BATCH,
      lowGasBalanceWei: parseEther(values.RECUR_GAS_LOW_BALANCE),
      pollMs: values.RECUR_POLL_MS,
      webhooks: {
        firstRetrySeconds: values.RECUR_WEBHOOK_FIRST_RETRY,
        maxDelaySeconds: values.RECUR_WEBHOOK_MAX_DELAY,
        giveUpAfterSeconds: values.RECUR_WEBHOOK_GIVE_UP,
        timeoutMs: 10_000,
      },
    },
    rateLimit: {
      perKey: values.RECUR_RATE_LIMIT_PER_KEY,
      perAddress: values.RECUR_RATE_LIMIT_PER_ADDRESS,
      windowSeconds: values.RECUR_RATE_LIMIT_WINDOW,
    },
    trustProxy: values.RECUR_TRUST_PROXY,
    keyVariables: new Map(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
    ),
  };
}
