import { homedir } from "node:os";
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { getAddress } from "viem";
import { addressProblem } from "../server/chain/addressSchema.js";
import { RecurApiError, RecurClient } from "../server/client/RecurClient.js";
import { durationSeconds, type Environment } from "../server/config/loadConfig.js";
import { type MerchantProfile, ProfileError, readMerchantProfile } from "./merchantProfile.js";

/** The options every command takes, from the root program. */
export interface GlobalOptions {
  json: boolean;
  profile: string;
  apiUrl?: string;
}

/** Where `merchant create --save` writes the credentials and every API command reads them, unless told otherwise. */
export const DEFAULT_PROFILE = path.join(homedir(), ".config", "recur", "merchant.json");

/** A problem with what the user typed or set up; printed as is, without a stack. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * The signed API client for the merchant in the profile; `RECUR_API_URL`, `RECUR_API_KEY` and `RECUR_API_SECRET`
 * in `env` (or `--api-url`) take precedence over it.
 */
export async function merchantClient(command: Command, env: Environment): Promise<RecurClient> {
  const options = globalOptions(command);
  const profile: Partial<MerchantProfile> = (await readMerchantProfile(options.profile)) ?? {};
  const apiUrl = options.apiUrl ?? env.RECUR_API_URL ?? profile.apiUrl;
  const apiKey = env.RECUR_API_KEY ?? profile.apiKey;
  const apiSecret = env.RECUR_API_SECRET ?? profile.apiSecret;
  if (!apiUrl || !apiKey || !apiSecret) {
    throw new UsageError(
      `no merchant credentials: create a merchant with \`recur merchant create --save\`, pass --profile <file>, ` +
        `or set RECUR_API_URL, RECUR_API_KEY and RECUR_API_SECRET (looked for ${options.profile})`,
    );
  }
  return new RecurClient(apiUrl, { apiKey, apiSecret }, reachable(apiUrl));
}

/** `fetch`, with a refused or failed connection explained in words. */
function reachable(apiUrl: string): typeof fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new UsageError(
        `cannot reach the Recur API at ${apiUrl} (${reason}): is the server running (npm start, npm run server)?`,
      );
    }
  };
}

/** Prints `value` as JSON with `--json`, otherwise as `human` says. */
export function output<T>(command: Command, value: T, human: (value: T) => string): void {
  console.log(globalOptions(command).json ? JSON.stringify(value, null, 2) : human(value));
}

/** Lines of aligned columns, for lists. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return "(none)";
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Runs a command's action, turning the errors a user can act on into one line on stderr and exit code 1. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      process.exitCode = 1;
      if (error instanceof RecurApiError) {
        const details = error.details?.map((detail) => `\n  ${detail.path}: ${detail.message}`).join("") ?? "";
        console.error(`error: ${error.message} (HTTP ${error.status} ${error.code})${details}`);
      } else if (
        error instanceof UsageError ||
        error instanceof InvalidArgumentError ||
        error instanceof ProfileError
      ) {
        console.error(`error: ${error.message}`);
      } else {
        throw error;
      }
    }
  };
}

// argument parsers: each says what it expected

/** An account address (payout, gas wallet) under the server's address rule: checksummed if mixed case, never zero. */
export function addressArgument(value: string): string {
  const problem = addressProblem(value, { zero: "refuse" });
  if (problem?.kind === "malformed") throw new InvalidArgumentError("expected a 0x-prefixed 20-byte address");
  if (problem !== undefined) throw new InvalidArgumentError(`${value} ${problem.message}`);
  return getAddress(value);
}

export function durationArgument(value: string): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined) throw new InvalidArgumentError("expected seconds or a duration like 90s, 15m, 6h, 30d");
  return seconds;
}

export function positiveIntegerArgument(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("expected a whole number from 1");
  return Number(value);
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
