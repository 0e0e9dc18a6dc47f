import { Command } from "commander";
import { eq } from "drizzle-orm";
import type { Address } from "viem";
import type { ChainRegistry } from "../server/chain/ChainRegistry.js";
import type { Environment } from "../server/config/loadConfig.js";
import { merchants } from "../server/db/schema.js";
import {
  accentColorProblem,
  displayNameProblem,
  logoUrlProblem,
  supportUrlProblem,
} from "../server/domain/brandingRules.js";
import { createMerchant, type MerchantChain, setMerchantChain } from "../server/domain/merchants.js";
import { systemResolver, vetWebhookTarget, WebhookTargetError } from "../server/domain/webhookTarget.js";
import type { Branding, BrandingChange } from "../server/schemas/branding.js";
import { action, addressArgument, globalOptions, merchantClient, output, table, UsageError } from "./context.js";
import { readMerchantProfile, writeMerchantProfile } from "./merchantProfile.js";
import { operatorConfig, withDatabase } from "./operatorAccess.js";

const KEY_SOURCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/;

function keySourceArgument(value: string): string {
  if (!KEY_SOURCE.test(value)) {
    throw new UsageError(`--gas-wallet-key must be env:NAME or file:PATH, not "${value}"`);
  }
  return value;
}

/** The chain `value` names (id or name), or a message listing the configured ones. */
function chainOf(registry: ChainRegistry, value: string): number {
  const chain = /^\d+$/.test(value) ? registry.chainById(Number(value)) : registry.chainByName(value);
  if (!chain) {
    const known = registry.chains.map((c) => `${c.name} (${c.chainId})`).join(", ");
    throw new UsageError(`unknown chain "${value}": this deployment is configured for ${known}`);
  }
  return chain.chainId;
}

interface ChainOptions {
  chain: string;
  payout: Address;
  gasWallet: Address;
  gasWalletKey?: string;
}

function merchantChain(registry: ChainRegistry, options: ChainOptions): MerchantChain {
  return {
    chainId: chainOf(registry, options.chain),
    payoutAddress: options.payout,
    gasWalletAddress: options.gasWallet,
    gasWalletKey: options.gasWalletKey ? keySourceArgument(options.gasWalletKey) : null,
  };
}

/** The options that say where a merchant is paid and which gas wallet works for it on one chain. */
function withChainOptions(command: Command): Command {
  return command
    .option("--chain <idOrName>", "the chain, by id or name", "localhost")
    .requiredOption("--payout <address>", "where its subscriptions pay", addressArgument)
    .requiredOption(
      "--gas-wallet <address>",
      "the gas wallet that activates and charges (the operator)",
      addressArgument,
    )
    .option("--gas-wallet-key <source>", "where the worker finds that wallet's key: env:NAME or file:PATH");
}

export function merchantCommands(env: Environment): Command {
  const merchant = new Command("merchant").description("merchants, their keys, webhook URL and gas wallets");

  withChainOptions(
    merchant
      .command("create")
      .description("create a merchant with its first API key (operator: direct database access)")
      .requiredOption("--name <name>", "the merchant's name"),
  )
    .option("--webhook-url <url>", "where webhook events are POSTed")
    .option("--save", "save the key and secret to the profile (--profile) for the other commands")
    .action(
      action(async (options, command: Command) => {
        const config = operatorConfig(env);
        const chain = merchantChain(config.chains, options);
        if (options.webhookUrl !== undefined) {
          try {
            await vetWebhookTarget(options.webhookUrl, {
              allowPrivate: config.allowPrivateWebhooks,
              resolve: systemResolver,
            });
          } catch (error) {
            if (error instanceof WebhookTargetError) throw new UsageError(`--webhook-url ${error.message}`);
            throw error;
          }
        }
        // the profile points at --api-url, or at this deployment's own address
        const apiUrl = globalOptions(command).apiUrl ?? `http://${config.http.host}:${config.http.port}`;
        const issued = await withDatabase(config, (services) =>
          createMerchant(services.db, services.apiSecrets, {
            name: options.name,
            webhookUrl: options.webhookUrl ?? null,
            chains: [chain],
          }),
        );
        const created = { ...issued, apiUrl };
        const profile = globalOptions(command).profile;
        if (options.save) await writeMerchantProfile(profile, created);
        output(command, { ...created, profile: options.save ? profile : null }, (value) =>
          [
            table([
              ["merchant", value.merchantId],
              ["API key", value.apiKey],
              ["API secret", value.apiSecret],
            ]),
            "The secret is shown this once and stored only encrypted: keep it in your backend's secret store.",
            value.profile ? `Saved to ${value.profile} (readable by you only).` : "",
          ]
            .filter(Boolean)
            .join("\n"),
        );
      }),
    );

  withChainOptions(
    merchant
      .command("set-chain <merchantId>")
      .description("set where a merchant is paid and its gas wallet on a chain (operator: direct database access)"),
  ).action(
    action(async (merchantId: string, options, command: Command) => {
      const config = operatorConfig(env);
      const chain = merchantChain(config.chains, options);
      await withDatabase(config, async (services) => {
        const [row] = await services.db.select().from(merchants).where(eq(merchants.id, merchantId));
        if (!row) throw new UsageError(`no merchant ${merchantId}: \`recur merchant create\` prints the id`);
        await setMerchantChain(services.db, merchantId, chain);
      });
      output(
        command,
        chain,
        (value) =>
          `merchant ${merchantId} on chain ${value.chainId}: payout ${value.payoutAddress}, gas wallet ${value.gasWalletAddress}`,
      );
    }),
  );

  merchant
    .command("show")
    .description("the merchant of the profile: its chains, payout addresses and gas wallet balances")
    .action(
      action(async (_options, command: Command) => {
        const client = await merchantClient(command, env);
        const { gasWallets } = await client.listGasWallets();
        output(command, { apiUrl: client.baseUrl, gasWallets }, (value) =>
          [
            `API ${value.apiUrl}`,
            table([
              ["CHAIN", "PAYOUT", "GAS WALLET", "BALANCE", "KEY"],
              ...value.gasWallets.map((wallet) => [
                wallet.blockchain,
                wallet.payoutAddress,
                wallet.address,
                `${wallet.balance ?? "not read yet"}${wallet.low ? " (LOW)" : ""}`,
                wallet.keyConfigured ? "configured" : "missing",
              ]),
            ]),
          ].join("\n"),
        );
      }),
    );

  merchant
    .command("rotate-key")
    .description(
      "issue a new API key and secret; every other key keeps working for an hour, then only the new one (sign with the current key)",
    )
    .option("--save", "replace the key and secret in the profile")
    .action(
      action(async (options, command: Command) => {
        const client = await merchantClient(command, env);
        const issued = await client.rotateApiKey();
        const file = globalOptions(command).profile;
        if (options.save) {
          const profile = await readMerchantProfile(file);
          if (!profile) throw new UsageError(`no profile at ${file} to update: the new key is printed below`);
          await writeMerchantProfile(file, { ...profile, ...issued });
        }
        output(command, issued, (value) =>
          table([
            ["API key", value.apiKey],
            ["API secret", value.apiSecret],
          ]),
        );
      }),
    );

  merchant.addCommand(keyCommands(env));
  merchant.addCommand(brandingCommands(env));

  merchant
    .command("set-webhook <url>")
    .description('where webhook events are POSTed ("none" to stop sending them)')
    .action(
      action(async (url: string, _options, command: Command) => {
        const client = await merchantClient(command, env);
        const answer = await client.setWebhookUrl(url === "none" ? null : url);
        output(command, answer, (value) => `webhook URL: ${value.url ?? "none"}`);
      }),
    );
  return merchant;
}

/** `merchant keys`: the merchant's API keys, listed and revoked through the signed API. */
function keyCommands(env: Environment): Command {
  const keys = new Command("keys").description("the merchant's API keys: list them, revoke one at once");

  keys
    .command("list")
    .description("every key of the merchant, newest first: status, expiry, revocation, last use (never a secret)")
    .action(
      action(async (_options, command: Command) => {
        const client = await merchantClient(command, env);
        const { apiKeys } = await client.listApiKeys();
        output(command, apiKeys, (rows) =>
          table([
            ["KEY", "STATUS", "CREATED", "EXPIRES", "REVOKED", "LAST USED", ""],
            ...rows.map((key) => [
              key.apiKey,
              key.status,
              key.createdAt,
              key.expiresAt ?? "-",
              key.revokedAt ?? "-",
              key.lastUsedAt ?? "-",
              key.signsThisRequest ? "(this profile)" : "",
            ]),
          ]),
        );
      }),
    );

  keys
    .command("revoke <apiKey>")
    .description("stop a key at once (not the profile's own key: a key cannot revoke itself; rotate first)")
    .action(
      action(async (apiKey: string, _options, command: Command) => {
        const client = await merchantClient(command, env);
        const revoked = await client.revokeApiKey(apiKey);
        output(command, revoked, (key) => `${key.apiKey} revoked at ${key.revokedAt}: it no longer works`);
      }),
    );
  return keys;
}

/** The branding as `merchant branding` prints it. */
function describeBranding(branding: Branding): string {
  return table([
    ["display name", branding.displayName],
    ["logo URL", branding.logoUrl ?? "none"],
    ["accent colour", branding.accentColor ?? "none (the site's own)"],
    ["support link", branding.supportUrl ?? "none"],
  ]);
}

/** Each option of `merchant branding set`: the API field it sets, and the rule it must meet. */
const BRANDING_OPTIONS = [
  { flag: "--display-name", key: "displayName", field: "displayName", problem: displayNameProblem },
  { flag: "--logo-url", key: "logoUrl", field: "logoUrl", problem: logoUrlProblem },
  { flag: "--accent", key: "accent", field: "accentColor", problem: accentColorProblem },
  { flag: "--support-url", key: "supportUrl", field: "supportUrl", problem: supportUrlProblem },
] as const;

/**
 * `merchant branding`: how the merchant's payer pages present it, shown and changed through the signed API. Each
 * value is checked here first with the platform's own rules, so a mistake is named by its option.
 */
function brandingCommands(env: Environment): Command {
  const branding = new Command("branding")
    .description("the display name, logo, accent colour and support link payer pages show; `set` changes them")
    .action(
      action(async (_options, command: Command) => {
        const client = await merchantClient(command, env);
        output(command, await client.getBranding(), describeBranding);
      }),
    );

  branding
    .command("set")
    .description("change the fields given, keep the others; an empty value ('') clears one")
    .option("--display-name <name>", "the name payers see (1-80 characters; '' for the merchant's name)")
    .option("--logo-url <url>", "an https image URL shown beside the name")
    .option("--accent <#rrggbb>", "buttons and links; dark enough for white text (contrast 4.5:1)")
    .option("--support-url <url>", "an https URL or mailto: address in the footer")
    .action(
      action(async (options: Record<string, string | undefined>, command: Command) => {
        const change: Record<string, string | null> = {};
        for (const { flag, key, field, problem } of BRANDING_OPTIONS) {
          const value = options[key];
          if (value === undefined) continue;
          if (value === "") {
            change[field] = null;
            continue;
          }
          const found = problem(value);
          if (found !== undefined) throw new UsageError(`${flag} ${JSON.stringify(value)} ${found}`);
          change[field] = value;
        }
        if (Object.keys(change).length === 0) {
          throw new UsageError(
            "nothing to set: give --display-name, --logo-url, --accent or --support-url ('' clears one)",
          );
        }
        const client = await merchantClient(command, env);
        output(command, await client.setBranding(change as BrandingChange), describeBranding);
      }),
    );
  return branding;
}
