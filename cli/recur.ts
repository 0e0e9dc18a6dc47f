/**
 * `recur`, the command line for merchants and operators (`npm run recur -- <command>`, or `npx tsx cli/recur.ts`).
 * Merchant commands use the same signed API a merchant's backend does, with the key and secret from a profile file
 * (written by `merchant create --save`) or RECUR_API_URL, RECUR_API_KEY and RECUR_API_SECRET. Operator commands
 * (`merchant create`, `merchant set-chain`, `gas-wallet seal-key`, `deploy`, `worker`) reach the database, the chain
 * or the deployment's secret key directly.
 *
 *   npm run recur -- --help
 *   npm run recur -- plans create --name Pro --amount "9.99 USDC" --interval Month --activate
 *   npm run recur -- --json subscriptions list --status Active
 */
import { Command } from "commander";
import { DEFAULT_PROFILE } from "./context.js";
import { gasWalletCommands } from "./gasWalletCommands.js";
import { merchantCommands } from "./merchantCommands.js";
import { deployCommand, workerCommand } from "./operatorCommands.js";
import { planCommands } from "./planCommands.js";
import { subscriptionCommands } from "./subscriptionCommands.js";
import { webhookCommands } from "./webhookCommands.js";

// the one place the command line reads its environment: every command is given it
const env = process.env;
const program = new Command("recur")
  .description("Recur: subscription billing for ERC-20 tokens, from the command line")
  .option("--json", "print results as JSON, for scripts")
  .option("--profile <file>", "the merchant profile: API URL, key and secret", DEFAULT_PROFILE)
  .option("--api-url <url>", "the Recur API (default: the profile's, or RECUR_API_URL)")
  .showHelpAfterError()
  .addCommand(merchantCommands(env))
  .addCommand(planCommands(env))
  .addCommand(subscriptionCommands(env))
  .addCommand(webhookCommands(env))
  .addCommand(gasWalletCommands(env))
  .addCommand(deployCommand(env))
  .addCommand(workerCommand(env));

await program.parseAsync();
