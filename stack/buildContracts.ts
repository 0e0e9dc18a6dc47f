import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageBin } from "./packageBin.js";
import { startProcess } from "./startProcess.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** How long a build step may take before it is stopped and reported as failed. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

/**
 * What `npm start` and `npm run demo` need before anything runs: the contracts compiled (Hardhat, with solc from
 * npm: a first compile takes minutes on a busy machine) and their ABIs written for the server and the web app
 * (`wagmi generate`). Each step is announced before it starts, so a slow build is never a silent one; a failed
 * step throws with the tool's own output.
 */
export async function buildContracts(progress: (step: string) => void): Promise<void> {
  await run(progress, "Compiling the contracts (the first time takes a few minutes)", "hardhat", ["build", "--quiet"]);
  await run(progress, "Writing the contracts' ABIs for the server and the web app", "wagmi", ["generate"]);
}

async function run(progress: (step: string) => void, what: string, command: string, args: string[]) {
  progress(what);
  const child = startProcess(process.execPath, [packageBin(command), ...args], { cwd: projectRoot });
  const exit = await child.waitForExit(BUILD_TIMEOUT_MS);
  if (exit.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (exit ${exit.code ?? exit.signal}):\n${child.output().trim()}`,
    );
  }
}
