import { existsSync } from "node:fs";
import path from "node:path";
import { type Address, getAddress } from "viem";
import { z } from "zod";
import { ConfigError } from "../../../server/config/loadConfig.js";
import { originList } from "../../../server/config/originList.js";
import { addressProblem } from "../../src/validation/addressProblem.js";

/** The web server's configuration, read and validated once at start by {@link loadWebConfig}. */
export interface WebConfig {
  /** The platform API the proxy signs requests for. */
  platformUrl: string;
  /** The merchant's API credentials: they never leave this process. */
  apiKey: string;
  apiSecret: string;
  http: { host: string; port: number };
  /**
   * The site's origin as browsers reach it (`WEB_PUBLIC_ORIGIN`, e.g. `https://shop.example.com`): the only domain a
   * Sign-In with Ethereum message may name and the Origin the write check expects. Taken from configuration, never
   * from a request's Host header, which the sender chooses.
   */
  publicOrigin: string;
  /** Signs the session cookie. */
  sessionSecret: string;
  /** Wallets (checksummed) that may sign in to the admin pages. */
  adminAddresses: Address[];
  /** The RPC URL per chain id that the browser's wallet library uses (and the server checks signatures with). */
  rpcUrls: Map<number, string>;
  /** Where the browser reaches the platform's public hosted-checkout routes. */
  publicPlatformUrl: string;
  /** The built dApp (absolute path of a directory holding index.html), or null to serve the API alone. */
  distDir: string | null;
  walletConnectProjectId: string | null;
  /** Origins other than the site's own that may call /api (CORS and the POST origin check). */
  allowedOrigins: string[];
  /** Origins whose pages may frame the embeddable widget (`/embed`); none: no page may. */
  embedOrigins: string[];
  /** Requests per client address and minute: on /api as a whole, and on /api/auth/*. */
  rateLimit: { perMinute: number; authPerMinute: number };
  /** Reverse proxies whose X-Forwarded-* headers are believed (addresses or CIDR ranges); none by default. */
  trustProxy: string[];
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

/** Where `WEB_DIST` points by default: the Vite build next to this server. */
const DEFAULT_DIST = path.resolve(import.meta.dirname, "../../dist");

/** A variable that must be set (an empty value counts as unset). */
const required = (name: string, help: string) =>
  z.string({ error: `${name} is not set: ${help}` }).min(1, { error: `${name} is empty: ${help}` });

const httpUrl = (name: string, example: string) =>
  z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: `${name} must be an http(s) URL such as ${example}`,
  });

/** A comma-separated list, without blanks. */
const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const perMinute = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 1_000_000, {
      error: `${name} must be a whole number of requests per minute from 1 to 1000000`,
    })
    .transform(Number);

const environment = z.object({
  RECUR_API_URL: required("RECUR_API_URL", "the platform API's base URL, e.g. http://127.0.0.1:8787").pipe(
    httpUrl("RECUR_API_URL", "http://127.0.0.1:8787"),
  ),
  RECUR_API_KEY: required("RECUR_API_KEY", "the merchant's API key (from `recur merchant create` or key rotation)"),
  RECUR_API_SECRET: required("RECUR_API_SECRET", "the merchant's API secret, shown once when the key was created"),
  WEB_HOST: z.string().min(1).default("127.0.0.1"),
  WEB_PUBLIC_ORIGIN: required(
    "WEB_PUBLIC_ORIGIN",
    "the site's origin as browsers reach it (scheme, host and port), e.g. https://shop.example.com or http://127.0.0.1:5173",
  ).refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value,
    {
      error: (issue) =>
        `WEB_PUBLIC_ORIGIN must be an http(s) origin: scheme, lowercase host and port only (no path, no trailing slash, no default port), e.g. https://shop.example.com, not "${String(issue.input)}"`,
    },
  ),
  WEB_PORT: z
    .string()
    .default("5173")
    .refine((port) => /^\d+$/.test(port) && Number(port) <= 65_535, {
      error: "WEB_PORT must be a port number from 0 to 65535",
    })
    .transform(Number),
  // the value is never echoed: it is a secret
  WEB_SESSION_SECRET: required(
    "WEB_SESSION_SECRET",
    "at least 32 random characters that sign the session cookie, e.g. the output of `openssl rand -hex 32`",
  ).refine((secret) => secret.length >= 32, {
    error: "WEB_SESSION_SECRET is too short: use at least 32 random characters, e.g. `openssl rand -hex 32`",
  }),
  WEB_ADMIN_ADDRESSES: z
    .string()
    .optional()
    .transform((value, context) => {
      const addresses = list(value);
      const problems = addresses.map((address) => ({ address, problem: addressProblem(address) }));
      const malformed = problems.filter(({ problem }) => problem === "malformed").map(({ address }) => address);
      if (malformed.length > 0) {
        context.addIssue({
          code: "custom",
          message: `WEB_ADMIN_ADDRESSES must be comma-separated 0x addresses; not addresses: ${malformed.join(", ")}`,
        });
      }
      for (const { address, problem } of problems) {
        if (problem === "checksum") {
          context.addIssue({
            code: "custom",
            message: `WEB_ADMIN_ADDRESSES: ${address} is not a valid EIP-55 checksummed address (its mixed case does not match its checksum): check it for a typo, or write it all in lowercase`,
          });
        }
        if (problem === "zero") {
          context.addIssue({
            code: "custom",
            message: "WEB_ADMIN_ADDRESSES lists the zero address, which nobody holds: remove it",
          });
        }
      }
      return problems.some(({ problem }) => problem) ? z.NEVER : addresses.map((address) => getAddress(address));
    }),
  WEB_RPC_URLS: required(
    "WEB_RPC_URLS",
    "the RPC URL per chain the browser's wallet uses, as chainId=url pairs, e.g. 31337=http://127.0.0.1:8545",
  ).transform((value, context) => {
    const urls = new Map<number, string>();
    for (const entry of list(value)) {
      const match = /^(\d+)=(.+)$/.exec(entry);
      const url = match?.[2];
      if (!match || !url || !URL.canParse(url) || !/^(https?|wss?):$/.test(new URL(url).protocol)) {
        context.addIssue({
          code: "custom",
          message: `WEB_RPC_URLS must be chainId=url pairs separated by commas (e.g. 31337=http://127.0.0.1:8545), not "${entry}"`,
        });
        return z.NEVER;
      }
      urls.set(Number(match[1]), url);
    }
    return urls;
  }),
  WEB_PUBLIC_API_URL: httpUrl("WEB_PUBLIC_API_URL", "https://billing.example.com").optional(),
  WEB_DIST: z.string().min(1).optional().describe('a built app\'s directory, or "none" for the API alone'),
  WEB_WALLETCONNECT_PROJECT_ID: z
    .string()
    .optional()
    .refine((id) => !id || /^[0-9a-zA-Z]{8,64}$/.test(id), {
      error: "WEB_WALLETCONNECT_PROJECT_ID must be a WalletConnect (Reown) project id: letters and digits",
    }),
  WEB_ALLOWED_ORIGINS: originList("WEB_ALLOWED_ORIGINS", "https://shop.example.com"),
  WEB_EMBED_ORIGINS: originList("WEB_EMBED_ORIGINS", "https://blog.example.com"),
  WEB_RATE_LIMIT: perMinute("WEB_RATE_LIMIT", 600),
  WEB_AUTH_RATE_LIMIT: perMinute("WEB_AUTH_RATE_LIMIT", 30),
  WEB_TRUST_PROXY: z.string().optional().transform(list),
  WEB_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "WEB_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
});

/**
 * Reads the web server's configuration from `env` once, at start. Throws a {@link ConfigError} naming every
 * missing or malformed variable (never echoing a secret), so the process stops before doing anything.
 */
export function loadWebConfig(env: NodeJS.ProcessEnv): WebConfig {
  // an empty optional variable means unset, as in a shell `VAR= command`
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environment.safeParse(present);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  const distDir = present.WEB_DIST === "none" ? null : path.resolve(present.WEB_DIST ?? DEFAULT_DIST);
  if (distDir !== null && !existsSync(path.join(distDir, "index.html"))) {
    problems.push(
      `WEB_DIST: ${distDir} holds no index.html: build the app with \`npm run build:web\`, point WEB_DIST at a built app, or set WEB_DIST=none to serve the API alone`,
    );
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
  const values = parsed.data;
  return {
    platformUrl: values.RECUR_API_URL,
    apiKey: values.RECUR_API_KEY,
    apiSecret: values.RECUR_API_SECRET,
    http: { host: values.WEB_HOST, port: values.WEB_PORT },
    publicOrigin: values.WEB_PUBLIC_ORIGIN,
    sessionSecret: values.WEB_SESSION_SECRET,
    adminAddresses: values.WEB_ADMIN_ADDRESSES,
    rpcUrls: values.WEB_RPC_URLS,
    publicPlatformUrl: values.WEB_PUBLIC_API_URL ?? values.RECUR_API_URL,
    distDir,
    walletConnectProjectId: values.WEB_WALLETCONNECT_PROJECT_ID ?? null,
    allowedOrigins: values.WEB_ALLOWED_ORIGINS,
    embedOrigins: values.WEB_EMBED_ORIGINS,
    rateLimit: { perMinute: values.WEB_RATE_LIMIT, authPerMinute: values.WEB_AUTH_RATE_LIMIT },
    trustProxy: values.WEB_TRUST_PROXY,
    logLevel: values.WEB_LOG_LEVEL,
  };
}
