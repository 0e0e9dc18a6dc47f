import type { FastifyBaseLogger } from "fastify";
import { watchChainClocks } from "./chain/watchChainClocks.js";
import type { Config } from "./config/loadConfig.js";
import { openDatabase } from "./db/openDatabase.js";
import { createServices, type Services } from "./domain/Services.js";
import { buildApp } from "./http/buildApp.js";
import { startWorker } from "./worker/startWorker.js";

/** A platform process started by {@link startServer}. */
export interface RunningServer {
  /** Where the API listens, when this process serves it. */
  url: string | undefined;
  services: Services;
  log: FastifyBaseLogger;
  /** Stops the worker's loops, closes the API and then the database. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Opens the database (applying migrations), then runs the roles `config` names: the HTTP API, the worker, or both.
 * Used by the process entry (`server/main.ts`) and by `npm start`, whose `prepare` seeds the database (the demo
 * merchant) before the roles start, so the worker finds its gas wallet at once.
 */
export async function startServer(
  config: Config,
  prepare?: (services: Services) => Promise<void>,
): Promise<RunningServer> {
  const database = await openDatabase(config.database);
  const services = createServices(database.db, config);
  try {
    await prepare?.(services);
  } catch (error) {
    await database.close();
    throw error;
  }
  const app = await buildApp({ services, logRequests: true });
  const worker = config.roles.worker ? await startWorker(services, app.log) : undefined;
  // the worker keeps the chains' clocks; without one, the API reads them itself
  const clocks = new AbortController();
  if (!worker) watchChainClocks(services, clocks.signal);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      clocks.abort();
      await worker?.stop();
      await app.close();
      await database.close();
    })();
    return stopped;
  };

  let url: string | undefined;
  if (config.roles.api) {
    try {
      url = await app.listen({ host: config.http.host, port: config.http.port });
    } catch (error) {
      await stop();
      throw error;
    }
    app.log.info(
      { database: database.engine, chains: config.chains.chains.map((chain) => chain.name) },
      "Recur API ready",
    );
  }
  return { url, services, log: app.log, stop };
}
