/**
 * The API benchmark's baselines: a bare Fastify app (no schemas, no authentication, no logging) with one route, run
 * as a process of its own and configured by the same environment as `server/main.ts`.
 *
 *   BENCH_BASELINE=hello   GET /hello: no database work, the most any Fastify route answers on this machine
 *   BENCH_BASELINE=select  GET /plans?offset=N: the least a signed plan listing must do, one parameterised SELECT
 *                          (`listPlans`, the plans route's own query, for BENCH_MERCHANT_ID) on the database that
 *                          DATABASE_URL or RECUR_DATA_DIR names, opened as the server opens it (same driver, same
 *                          pool size, the PGlite data directory owned by this process)
 */
import Fastify from "fastify";
import { loadConfig } from "../../server/config/loadConfig.js";
import { openDatabase } from "../../server/db/openDatabase.js";
import { listPlans } from "../../server/domain/plans.js";

const config = loadConfig(process.env);
const app = Fastify();
let closeDatabase = async () => {};

const mode = process.env.BENCH_BASELINE;
if (mode === "hello") {
  app.get("/hello", async () => ({ hello: "world" }));
} else if (mode === "select") {
  const merchantId = process.env.BENCH_MERCHANT_ID;
  if (!merchantId) throw new Error("BENCH_MERCHANT_ID must name the merchant whose plans are listed");
  const database = await openDatabase(config.database);
  closeDatabase = () => database.close();
  app.get<{ Querystring: { offset?: string } }>("/plans", async (request) => {
    // the same filter, page size and offset as a signed GET /integration/subscription-plans?offset=N
    const rows = await listPlans(database.db, merchantId, {
      statuses: ["Active"],
      limit: 20,
      offset: Number(request.query.offset ?? 0),
    });
    // ids only: turning rows into API resources is the API's work, not the database's
    return { plans: rows.map((row) => row.id) };
  });
} else {
  throw new Error(`BENCH_BASELINE must be hello or select, not "${mode}"`);
}

await app.listen({ host: config.http.host, port: config.http.port });

const stop = async () => {
  await app.close();
  await closeDatabase();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
