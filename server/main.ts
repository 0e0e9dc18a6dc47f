/**
 * The platform's process entry: reads the configuration once, opens the database (applying migrations), and runs
 * the roles it is given (`RECUR_ROLES`): the HTTP API, the worker, or both (the default). The only place that reads
 * the environment.
 *
 *   RECUR_SECRET_KEY=$(openssl rand -hex 32) npx tsx server/main.ts
 */

import { ConfigError, loadConfig } from "./config/loadConfig.js";
import { DataDirInUseError } from "./db/lockDataDir.js";
import { startServer } from "./startServer.js";

async function main(): Promise<void> {
  const server = await startServer(loadConfig(process.env));
  const stop = async (signal: string) => {
    server.log.info({ signal }, "stopping");
    await server.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    console.error(error.message);
  } else {
    console.error("Recur could not start:", error);
  }
  process.exit(1);
});
