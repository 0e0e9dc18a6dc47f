import { Command } from "commander";
import type { Hex } from "viem";
import { ConfigError, type Environment, loadConfig } from "../server/config/loadConfig.js";
import { DataDirInUseError } from "../server/db/lockDataDir.js";
import { action, output, UsageError } from "./context.js";

/** `deploy`: the factory, through the one Ignition module, to the chain at an RPC URL. */
export function deployCommand(env: Environment): Command {
  return new Command("deploy")
    .description("deploy the SubscriptionFactory (deterministic address: the same on every chain)")
    .requiredOption("--rpc-url <url>", "the chain's JSON-RPC endpoint")
    .option("--deployment-id <id>", "Ignition's journal for this deployment (default: recur-<chainId>)")
    .option(
      "--deployer-key-env <name>",
      "the variable holding the deployer's private key (default: the node's first unlocked account, as on a local node)",
    )
    .action(
      action(async (options, command: Command) => {
        if (!URL.canParse(options.rpcUrl))
          throw new UsageError(`--rpc-url must be an http(s) URL, not "${options.rpcUrl}"`);
        let accounts: Hex[] | undefined;
        if (options.deployerKeyEnv) {
          const key = env[options.deployerKeyEnv];
          if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
            throw new UsageError(`${options.deployerKeyEnv} must hold a 0x-prefixed 32-byte private key`);
          }
          // checked above: 0x and 64 hex digits
          accounts = [key as Hex];
        }
        // loaded here: Hardhat reads its configuration at import, which the other commands do not need
        const { deployFactory } = await import("./deployFactory.js");
        console.error(`Deploying the factory through ${new URL(options.rpcUrl).host}...`);
        const deployed = await deployFactory(options.rpcUrl, { accounts, deploymentId: options.deploymentId });
        output(command, deployed, (value) =>
          [
            `SubscriptionFactory ${value.factory} on chain ${value.chainId}`,
            `Recorded by Ignition in ${value.journal}; put the address in your RECUR_CHAINS_FILE as "factory".`,
          ].join("\n"),
        );
      }),
    );
}

/** `worker`: the worker role alone, for deployments that run several processes against PostgreSQL. */
export function workerCommand(env: Environment): Command {
  return new Command("worker")
    .description("run the worker alone (requests, keeper, indexer, webhooks), configured like the server")
    .action(
      action(async () => {
        // loaded here: the worker needs the built contracts' ABIs, which the other commands do not
        const { startServer } = await import("../server/startServer.js");
        // listened for before starting: a stop asked for while the worker starts (it says it has started a moment
        // before this function gets control back) waits for the start, then stops it cleanly
        const stopAsked = new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        let server: Awaited<ReturnType<typeof startServer>>;
        try {
          server = await startServer(loadConfig({ ...env, RECUR_ROLES: "worker" }));
        } catch (error) {
          if (error instanceof ConfigError || error instanceof DataDirInUseError) throw new UsageError(error.message);
          throw error;
        }
        await stopAsked;
        await server.stop();
      }),
    );
}
