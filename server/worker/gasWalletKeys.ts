import { readFile, writeFile } from "node:fs/promises";
import { type Address, getAddress, type Hex, isHex } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { SecretBox } from "../auth/secretBox.js";
import { NonRetryableError } from "../chain/NonRetryableError.js";
import type { Config } from "../config/loadConfig.js";

/** A gas wallet key file: the address in clear, the key sealed with the deployment's secret key. */
interface KeyFile {
  address: Address;
  sealed: string;
}

const purpose = "gas-wallet-keys";

/** A gas wallet key that cannot be loaded; the message names the source, never the key. */
export class GasWalletKeyError extends NonRetryableError {
  override name = "GasWalletKeyError";
}

/**
 * Writes `privateKey` to `path` as a key file sealed with `secretKey` (AES-256-GCM), readable only by a Recur
 * deployment with the same secret key, and by the file's owner only (mode 0600). Never replaces an existing file
 * (it may be the only copy of another wallet's key). Returns the wallet's address.
 */
export async function writeGasWalletKeyFile(path: string, privateKey: Hex, secretKey: Uint8Array): Promise<Address> {
  const account = privateKeyToAccount(privateKey);
  const file: KeyFile = { address: account.address, sealed: new SecretBox(secretKey, purpose).seal(privateKey) };
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  return account.address;
}

/**
 * Loads the gas wallet key a merchant's chain settings name: `env:NAME` (a variable of the environment the
 * configuration was loaded from, `config.keyVariables`) or `file:PATH` (a key file from {@link writeGasWalletKeyFile},
 * opened with `config.secretKey`). Checks that it is the key of `expected`.
 */
export async function loadGasWalletKey(
  source: string,
  expected: Address,
  config: Pick<Config, "secretKey" | "keyVariables">,
): Promise<PrivateKeyAccount> {
  const [kind, ...rest] = source.split(":");
  const location = rest.join(":");
  let key: string | undefined;
  if (kind === "env") {
    key = config.keyVariables.get(location);
    if (!key) throw new GasWalletKeyError(`the gas wallet key variable ${location} is not set`);
  } else if (kind === "file") {
    let text: string;
    try {
      text = await readFile(location, "utf8");
    } catch (error) {
      throw new GasWalletKeyError(
        `cannot read the gas wallet key file ${location} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    try {
      key = new SecretBox(config.secretKey, purpose).open((JSON.parse(text) as KeyFile).sealed);
    } catch {
      throw new GasWalletKeyError(
        `cannot open the gas wallet key file ${location}: it was sealed with another RECUR_SECRET_KEY, or is damaged ` +
          "(give the worker the secret key it was sealed with, or seal the key again with `recur gas-wallet seal-key`)",
      );
    }
  } else {
    throw new GasWalletKeyError(`unknown gas wallet key source "${kind}": use env:NAME or file:PATH`);
  }
  if (!isHex(key) || key.length !== 66)
    throw new GasWalletKeyError(`the gas wallet key from ${kind}:${location} is not a 32-byte hex key`);
  const account = privateKeyToAccount(key);
  if (account.address !== getAddress(expected)) {
    throw new GasWalletKeyError(
      `the key from ${kind}:${location} is for ${account.address}, not the gas wallet ${expected}`,
    );
  }
  return account;
}
