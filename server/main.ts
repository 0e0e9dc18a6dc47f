/**
 * The platform's process entry: reads the configuration once, opens the database (applying migrations), and runs
 * the roles it is given (`RECUR_ROLES`): the HTTP API, the worker, or both (the default). The only place that reads
 * the environment, opens sockets or listens.
 *
 *   RECUR_SECRET_KEY=$(openssl rand -hex 32) npx tsx server/main.ts
 */

import { watchChainClocks } from "./chain/watchChainClocks.js";
import { ConfigError, loadConfig } from "./config/loadConfig.js";
import { DataDirInUseError } from "./db/lockDataDir.js";
import { openDatabase } from "./db/openDatabase.js";
import { createServices } from "./domain/Services.js";
import { DatabaseReplayGuard, MemoryReplayGuard } from "./http/authenticate.js";
import { buildApp } from "./http/buildApp.js";
import { startWorker } from "./worker/startWorker.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  const services = createServices(database.db, config);
  const replayGuard = database.engine === "pglite" ? new MemoryReplayGuard() : new DatabaseReplayGuard(database.db);
  const app = await buildApp({ services, replayGuard, logRequests: true });
  const worker = config.roles.worker ? await startWorker(services, app.log) : undefined;
  // the worker keeps the chains' clocks; without one, the API reads them itself
  const clocks = new AbortController();
  if (!worker) watchChainClocks(services, clocks.signal);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "stopping");
    clocks.abort();
    await worker?.stop();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));

  if (config.roles.api) {
    await app.listen({ host: config.http.host, port: config.http.port });
    app.log.info(
      { database: database.engine, chains: config.chains.chains.map((chain) => chain.name) },
      "Recur API ready",
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    console.error(error.message);
  } else {
    console.error("Recur could not start:", error);
  }
  process.exit(1);
});
