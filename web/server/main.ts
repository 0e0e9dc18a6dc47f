/**
 * The merchant web server's process entry: reads the configuration once, builds the app and listens. The only place
 * that reads the environment.
 *
 *   RECUR_API_URL=http://127.0.0.1:8787 RECUR_API_KEY=... RECUR_API_SECRET=... WEB_SESSION_SECRET=$(openssl rand -hex 32) \
 *   WEB_RPC_URLS=31337=http://127.0.0.1:8545 WEB_PUBLIC_ORIGIN=http://127.0.0.1:5173 npx tsx web/server/main.ts
 */
import { ConfigError } from "../../server/config/loadConfig.js";
import { buildWebApp } from "./buildWebApp.js";
import { loadWebConfig } from "./config/loadWebConfig.js";

async function main(): Promise<void> {
  const config = loadWebConfig(process.env);
  const app = await buildWebApp(config);
  await app.listen({ host: config.http.host, port: config.http.port });
  const stop = async (signal: string) => {
    app.log.info({ signal }, "stopping");
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : ["The web server could not start:", error].join(" "));
  process.exit(1);
});
