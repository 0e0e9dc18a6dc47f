import path from "node:path";
import { Command } from "commander";
import type { Hex } from "viem";
import { ConfigError, type Environment, loadSecretKey } from "../server/config/loadConfig.js";
import { writeGasWalletKeyFile } from "../server/worker/gasWalletKeys.js";
import { action, output, UsageError } from "./context.js";

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/** All of standard input, as text (a key piped in, or typed and ended with Ctrl-D). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * `gas-wallet seal-key`: writes the `file:PATH` key file the worker reads a gas wallet's key from, sealed with this
 * deployment's `RECUR_SECRET_KEY`. The private key comes from standard input or from a variable named by
 * `--key-env`, never from the command line, which every user of the machine can read in `ps`.
 */
export function gasWalletCommands(env: Environment): Command {
  const gasWallet = new Command("gas-wallet").description("gas wallet keys for the worker");
  gasWallet
    .command("seal-key")
    .description(
      "seal a gas wallet's private key (read from standard input, or --key-env) into a key file for " +
        "--gas-wallet-key file:PATH, with RECUR_SECRET_KEY (operator)",
    )
    .requiredOption("--out <path>", "the key file to write (owner-only; an existing file is never replaced)")
    .option("--key-env <name>", "read the private key from this variable instead of standard input")
    .action(
      action(async (options: { out: string; keyEnv?: string }, command: Command) => {
        let secretKey: Uint8Array;
        try {
          secretKey = loadSecretKey(env);
        } catch (error) {
          if (error instanceof ConfigError) throw new UsageError(error.message);
          throw error;
        }
        const key = (options.keyEnv ? (env[options.keyEnv] ?? "") : await readStdin()).trim();
        const from = options.keyEnv ? `the variable ${options.keyEnv}` : "standard input";
        if (!PRIVATE_KEY.test(key)) {
          throw new UsageError(`${from} must hold the gas wallet's private key: 0x and 64 hex characters`);
        }
        const file = path.resolve(options.out);
        let address: string;
        try {
          // PRIVATE_KEY checked it above: 0x and 64 hex digits
          address = await writeGasWalletKeyFile(file, key as Hex, secretKey);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "EEXIST") throw new UsageError(`${file} exists: remove it first, or choose another --out`);
          if (code === "ENOENT" || code === "EACCES") throw new UsageError(`cannot write ${file} (${code})`);
          throw error;
        }
        output(command, { address, keySource: `file:${file}` }, (value) =>
          [
            `Sealed the key of gas wallet ${value.address} into ${file} (readable by you only).`,
            `Use it with: --gas-wallet ${value.address} --gas-wallet-key ${value.keySource}`,
            "The worker opens it with the same RECUR_SECRET_KEY; keep both, and no other copy of the key.",
          ].join("\n"),
        );
      }),
    );
  return gasWallet;
}
