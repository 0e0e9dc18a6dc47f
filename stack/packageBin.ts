import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The JavaScript file behind an installed package's command (`hardhat`, `wagmi`), to run with `process.execPath`:
 * the `node_modules/.bin` shim would run whatever `node` comes first on the PATH, which need not be this Node.
 */
export function packageBin(command: string): string {
  return realpathSync(path.join(projectRoot, "node_modules", ".bin", command));
}
