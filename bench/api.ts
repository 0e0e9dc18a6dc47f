/**
 * HTTP API benchmark: requests per second, median and 99th-percentile latency and errors of the Recur API over
 * loopback HTTP (50 connections, closed loop, autocannon in this process), next to two baselines measured the same
 * way in the same run. Every server is a process of its own, started as production starts one (the API is
 * `server/main.ts` with `RECUR_ROLES=api`) and configured by environment variables only:
 *
 *   - bare baseline: a bare Fastify `GET /hello`, no database work (first and last in the run);
 *   - DB baseline, per engine: a bare Fastify route running the one parameterised SELECT a signed plan listing needs
 *     at least, through the same driver (first and last on its engine; `bench/support/baselineServer.ts`);
 *   - signed `GET /integration/subscription-plans` and signed draft creation (`POST /integration/subscriptions`).
 *
 * On PostgreSQL (a private server, or the one `BENCH_POSTGRES_URL` names; a database of its own, dropped after) and
 * on PGlite (a data directory, as a deployment has). The merchant and its Active plan are seeded as an operator seeds
 * them, in the database before any server starts (a PGlite data directory has one owner at a time). Every request is
 * signed afresh. Each case warms up for BENCH_WARMUP_SECONDS; the measured run then sends as many requests as the
 * warm-up's rate gives in BENCH_SECONDS and waits for every answer (autocannon's `amount`), so once the server has
 * stopped, the drafts of the measured run in the database must equal its 2xx answers. CPU time per answer of the
 * server process and of PostgreSQL's backends says where the time goes. Exits 1 when an answer failed or the drafts
 * do not match; the throughput targets are reported, as they depend on the machine.
 *
 *   npm run bench:api
 *   BENCH_SECONDS=3 BENCH_WARMUP_SECONDS=1 npm run bench:api     # while developing (defaults: 10 and 5)
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import { count, like } from "drizzle-orm";
import { table } from "../cli/context.js";
import { withDatabase } from "../cli/operatorAccess.js";
import { signRequest } from "../server/auth/signRequest.js";
import { RecurClient } from "../server/client/RecurClient.js";
import { loadConfig } from "../server/config/loadConfig.js";
import { subscriptions } from "../server/db/schema.js";
import { createMerchant } from "../server/domain/merchants.js";
import { createPlan, setPlanStatus } from "../server/domain/plans.js";
import { ensureSystemPackages, POSTGRESQL } from "../stack/ensureSystemPackages.js";
import { freePort } from "../stack/freePort.js";
import { startPostgres } from "../stack/startPostgres.js";
import { type BenchDatabase, createBenchDatabase } from "./support/createBenchDatabase.js";
import { type ServerProcess, startServerProcess } from "./support/startServerProcess.js";

const CONNECTIONS = 50;
const SECONDS = positiveSeconds("BENCH_SECONDS", "10");
/** Unmeasured load before each case: the JIT and PGlite's WebAssembly warm up, and its rate sizes the measured run. */
const WARM_UP_SECONDS = positiveSeconds("BENCH_WARMUP_SECONDS", "5");
const BASELINE_SERVER = "bench/support/baselineServer.ts";

/**
 * What every server process is given besides its secret key, database and port: the one place to tune the servers
 * under test (a limit that would trip under this load is raised here).
 */
const SERVER_SETTINGS: Record<string, string> = {
  RECUR_ROLES: "api",
  RECUR_HOST: "127.0.0.1",
  RECUR_LOG_LEVEL: "warn",
  // the local chain's factory and token addresses, which drafts need; its RPC URL (a free port) answers nothing
  RECUR_LOCAL_CHAIN: "on",
  // the load comes from one address and one key, far above any sensible limit: what is measured is the API
  RECUR_RATE_LIMIT_PER_KEY: "off",
  RECUR_RATE_LIMIT_PER_ADDRESS: "off",
};

type Engine = "PostgreSQL" | "PGlite";
type Env = Record<string, string>;

/** The drafts of a measured run carry customer ids with this prefix (those of a warm-up another). */
const MEASURED = "measured-";

function positiveSeconds(name: string, fallback: string): number {
  const raw = process.env[name] ?? fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) === 0) {
    console.error(`${name} must be a positive number of seconds, not "${raw}"`);
    process.exit(2);
  }
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------------------------
// Undoing what the run started (servers, databases, PostgreSQL), however it ends

const cleanups = new Set<() => Promise<void>>();

/** Registers `undo` for the end of the run; the returned function runs it now (once) instead. */
function tracked(undo: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => {
    cleanups.delete(once);
    done ??= Promise.resolve().then(undo);
    return done;
  };
  cleanups.add(once);
  return once;
}

/** Undoes everything registered, newest first, including what is registered meanwhile. */
async function cleanUp(): Promise<void> {
  while (cleanups.size > 0) {
    for (const undo of [...cleanups].reverse()) await undo().catch((error) => console.error("cleaning up:", error));
  }
}

async function withServer<T>(entry: string, env: Env, readyPath: string, task: (server: ServerProcess) => Promise<T>) {
  const server = await startServerProcess(entry, env, readyPath);
  const stop = tracked(() => server.stop());
  try {
    return await task(server);
  } finally {
    await stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The seed and the drafts

interface Merchant {
  merchantId: string;
  apiKey: string;
  apiSecret: string;
  planId: string;
}

/** A merchant with an Active plan, created as `recur merchant create` does: by the operator, in the database. */
function seedMerchant(env: Env): Promise<Merchant> {
  return withDatabase(loadConfig(env), async (services) => {
    const merchant = await createMerchant(services.db, services.apiSecrets, {
      name: "Bench Shop",
      chains: [
        {
          chainId: 31337,
          payoutAddress: "0x1111111111111111111111111111111111111111",
          gasWalletAddress: "0x2222222222222222222222222222222222222222",
        },
      ],
    });
    const input = { name: "Bench", amount: "10 tUSDC", periodSeconds: 2_592_000 };
    const plan = await createPlan(services.db, services, merchant.merchantId, input);
    await setPlanStatus(services.db, services, merchant.merchantId, plan.id, "Active");
    return { ...merchant, planId: plan.id };
  });
}

/** The drafts of measured runs in the database, counted once the server has stopped. */
function measuredDrafts(env: Env): Promise<number> {
  return withDatabase(loadConfig(env), async ({ db }) => {
    const [row] = await db
      .select({ n: count() })
      .from(subscriptions)
      .where(like(subscriptions.customerId, `${MEASURED}%`));
    return row?.n ?? 0;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The load: autocannon's public API, each request built (and signed) afresh by its `setupRequest` hook

/** The requests of a case, for its warm-up or its measured run. */
type Workload = (phase: "warm-up" | "measured") => autocannon.Request;

function signed(merchant: Merchant, request: autocannon.Request, method: string, path: string, body = "") {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = signRequest({ secret: merchant.apiSecret, ts, method, path, body });
  const type = body ? { "content-type": "application/json" } : {};
  const headers = { ...request.headers, ...type, "x-api-key": merchant.apiKey, "x-api-ts": ts, "x-api-sig": signature };
  return { ...request, method, path, body, headers } as autocannon.Request;
}

/**
 * Plan listings at offsets 0, 1, 2...: a path of its own per request, so no two signatures are alike even while the
 * server records GET signatures as used. The DB baseline runs the same query at the same offsets.
 */
function listings(pathOf: (offset: number) => string, merchant?: Merchant): Workload {
  let sequence = 0;
  return () => ({
    setupRequest: (request) => {
      const path = pathOf(sequence++ % 1_000_001);
      return merchant ? signed(merchant, request, "GET", path) : { ...request, path };
    },
  });
}

/** Draft creations, each for another customer and payer, so no two bodies (and no two signatures) are alike. */
function drafts(merchant: Merchant): Workload {
  let sequence = 0;
  return (phase) => ({
    setupRequest: (request) => {
      sequence++;
      const customerId = `${phase === "measured" ? MEASURED : "warm-up-"}${sequence}`;
      const payer = `0x${sequence.toString(16).padStart(40, "0")}`;
      const body = JSON.stringify({ planId: merchant.planId, customerId, payer });
      return signed(merchant, request, "POST", "/integration/subscriptions", body);
    },
  });
}

async function runLoad(url: string, request: autocannon.Request, limit: { duration: number } | { amount: number }) {
  const errorSamples: string[] = [];
  const onResponse = (status: number, body: string) => {
    if ((status < 200 || status > 299) && errorSamples.length < 3) errorSamples.push(`${status} ${body.slice(0, 300)}`);
  };
  const result = await autocannon({ url, connections: CONNECTIONS, ...limit, requests: [{ ...request, onResponse }] });
  if (result.timeouts > 0) errorSamples.push(`${result.timeouts} requests unanswered within autocannon's 10 s`);
  if (result.errors > result.timeouts) errorSamples.push(`${result.errors - result.timeouts} socket errors`);
  const answers = result["2xx"] + result.non2xx;
  return {
    ok: result["2xx"],
    answers,
    requestsPerSecond: result.duration > 0 ? answers / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    /** Non-2xx answers, socket errors and timeouts. */
    errors: result.non2xx + result.errors,
    errorSamples,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring a case

type CaseResult = Awaited<ReturnType<typeof measure>>;

/** The CPU time the processes of `after` used since `before` (one started since then: all of its own). */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let micros = 0;
  for (const [pid, now] of after) micros += now - (before.get(pid) ?? 0);
  return micros;
}

/** Warms `server` up with `workload`, then measures it, with the CPU time each answer cost. */
async function measure(
  name: string,
  engine: Engine | undefined,
  server: ServerProcess,
  workload: Workload,
  database?: BenchDatabase,
) {
  const warm = await runLoad(server.url, workload("warm-up"), { duration: WARM_UP_SECONDS });
  const rounds = Math.max(1, Math.round((warm.requestsPerSecond * SECONDS) / CONNECTIONS));
  const backendsBefore = await database?.backendCpu?.();
  const serverBefore = server.cpuMicros();
  const ownBefore = process.cpuUsage();
  const startedAt = performance.now();
  const load = await runLoad(server.url, workload("measured"), { amount: rounds * CONNECTIONS });
  const wallMicros = (performance.now() - startedAt) * 1000;
  const serverMicros = server.cpuMicros() - serverBefore;
  const own = process.cpuUsage(ownBefore);
  const backendsAfter = await database?.backendCpu?.();
  const per = (micros: number) => micros / Math.max(1, load.answers);
  return {
    name,
    engine,
    ...load,
    serverPerAnswer: per(serverMicros),
    postgresPerAnswer: backendsBefore && backendsAfter ? per(cpuSince(backendsBefore, backendsAfter)) : undefined,
    autocannonPerAnswer: per(own.user + own.system),
    /** Near 100% (of one core): the server's event loop was the bottleneck. */
    serverCore: serverMicros / wallMicros,
  };
}

/** The DB baseline, signed reads, signed drafts and the DB baseline again, on a fresh database of `engine`. */
async function benchEngine(engine: Engine, baseEnv: Env, postgresUrl: string) {
  const created = await createBenchDatabase(engine === "PGlite" ? "pglite" : "postgres", postgresUrl);
  const database = { ...created, remove: tracked(() => created.remove()) };
  try {
    const env = { ...baseEnv, ...database.env };
    const merchant = await seedMerchant(env);
    const baselineEnv = { ...env, BENCH_BASELINE: "select", BENCH_MERCHANT_ID: merchant.merchantId };
    const dbBaseline = (when: string) =>
      withServer(BASELINE_SERVER, baselineEnv, "/plans", (server) =>
        measure(
          `bare + 1 SELECT (${when})`,
          engine,
          server,
          listings((offset) => `/plans?offset=${offset}`),
          database,
        ),
      );
    const dbFirst = await dbBaseline("first");
    const [reads, writes] = await withServer("server/main.ts", env, "/health", async (server) => {
      const { plans } = await new RecurClient(server.url, merchant).listPlans();
      if (!plans.some((plan) => plan.id === merchant.planId)) throw new Error("the seeded plan is not listed");
      const pages = listings((offset) => `/integration/subscription-plans?offset=${offset}`, merchant);
      return [
        await measure("signed list of plans", engine, server, pages, database),
        await measure("signed draft creation", engine, server, drafts(merchant), database),
      ];
    });
    const draftsInDatabase = await measuredDrafts(env);
    const dbLast = await dbBaseline("last");
    return { engine, dbFirst, reads, writes, dbLast, draftsInDatabase, db: mean(dbFirst, dbLast) };
  } finally {
    await database.remove();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run and its report

const whole = (n: number) => Math.round(n).toLocaleString("en-US");
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const mean = (a: CaseResult, b: CaseResult) => (a.requestsPerSecond + b.requestsPerSecond) / 2;
const drift = (a: CaseResult, b: CaseResult) =>
  percent(Math.abs(a.requestsPerSecond - b.requestsPerSecond) / mean(a, b));
const micros = (n: number | undefined) => (n === undefined ? "-" : `${whole(n)} us`);

/** This process's environment without any Recur setting of its own, plus the servers' settings for this run. */
async function serverEnvironment(): Promise<Env> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && !entry[0].startsWith("RECUR_") && entry[0] !== "DATABASE_URL",
  );
  return {
    ...Object.fromEntries(inherited),
    ...SERVER_SETTINGS,
    RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
    RECUR_LOCAL_RPC_URL: `http://127.0.0.1:${await freePort()}`,
  };
}

async function main(): Promise<boolean> {
  const load = loadavg()[0] ?? 0;
  console.log(
    `Recur API benchmark: ${CONNECTIONS} connections, ${SECONDS} s per case after ${WARM_UP_SECONDS} s of warm-up; ` +
      `Node ${process.version}, ${cpus().length} CPUs, load average ${load.toFixed(2)} before the run` +
      (load > cpus().length / 4 ? " (other processes are running: the figures will be low and noisy)" : ""),
  );
  let postgresUrl = process.env.BENCH_POSTGRES_URL;
  if (!postgresUrl) {
    ensureSystemPackages([POSTGRESQL]);
    const postgres = await startPostgres();
    tracked(() => postgres.stop());
    postgresUrl = postgres.url;
  }
  const env = await serverEnvironment();

  const bare = (when: string) =>
    withServer(BASELINE_SERVER, { ...env, BENCH_BASELINE: "hello" }, "/hello", (server) =>
      measure(`bare GET /hello (${when})`, undefined, server, () => ({ path: "/hello" })),
    );
  const bareFirst = await bare("first");
  const engines = [await benchEngine("PostgreSQL", env, postgresUrl), await benchEngine("PGlite", env, postgresUrl)];
  const bareLast = await bare("last");

  const rows = [bareFirst, ...engines.flatMap((e) => [e.dbFirst, e.reads, e.writes, e.dbLast]), bareLast];
  const bareMean = mean(bareFirst, bareLast);
  const header = ["CASE", "ENGINE", "REQ/S", "P50", "P99", "ERRORS", "% BARE", "% DB", "CPU/REQ: SERVER"];
  console.log(
    `\n${table([
      [...header, "POSTGRESQL", "AUTOCANNON", "SERVER CORE"],
      ...rows.map((r) => {
        const db = engines.find((e) => e.engine === r.engine)?.db;
        return [
          r.name,
          r.engine ?? "-",
          whole(r.requestsPerSecond),
          `${r.p50} ms`,
          `${r.p99} ms`,
          String(r.errors),
          percent(r.requestsPerSecond / bareMean),
          db ? percent(r.requestsPerSecond / db) : "-",
          micros(r.serverPerAnswer),
          micros(r.postgresPerAnswer),
          micros(r.autocannonPerAnswer),
          percent(r.serverCore),
        ];
      }),
    ])}`,
  );
  console.log(
    `Steadiness, first against last: bare ${drift(bareFirst, bareLast)} apart, ` +
      engines.map((e) => `${e.engine} DB baseline ${drift(e.dbFirst, e.dbLast)}`).join(", "),
  );

  console.log("\nTargets (% DB: of the engine's DB baseline, the mean of its first and last runs)");
  const check = (ok: boolean, label: string) => {
    console.log(`  ${ok ? "MET    " : "NOT MET"}  ${label}`);
    return ok;
  };
  for (const { engine, reads, writes, db } of engines) {
    const share = (r: CaseResult) => `${whole(r.requestsPerSecond)} req/s = ${percent(r.requestsPerSecond / db)}`;
    if (engine === "PostgreSQL") {
      check(reads.requestsPerSecond >= db * 0.5, `PostgreSQL: signed reads >= 50% of the DB baseline: ${share(reads)}`);
      check(writes.requestsPerSecond >= db * 0.25, `PostgreSQL: drafts >= 25% of the DB baseline: ${share(writes)}`);
    } else {
      console.log(`  reported ${engine}: signed reads ${share(reads)}, drafts ${share(writes)}`);
    }
  }
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  let correct = check(errors === 0, `zero errors: ${errors} in all cases`);
  for (const { engine, writes, draftsInDatabase: n } of engines) {
    const same = n === writes.ok;
    const label = `${engine}: drafts in the database == 2xx answers: ${whole(n)} ${same ? "==" : "!="} ${whole(writes.ok)}`;
    correct = check(same, label) && correct;
  }
  for (const r of rows.filter((row) => row.errorSamples.length > 0)) {
    console.log(`\nErrors of ${r.name} (${r.engine ?? "-"}):\n  ${r.errorSamples.join("\n  ")}`);
  }
  return correct;
}

let interrupting = false;

/** Ctrl-C: undo what the run started, then exit. A repeated signal (npm relays the terminal's) changes nothing. */
async function interrupted(signal: NodeJS.Signals): Promise<void> {
  if (interrupting) return;
  interrupting = true;
  console.error(`\n${signal}: stopping the servers`);
  await cleanUp();
  process.exit(130);
}

process.on("SIGINT", () => void interrupted("SIGINT"));
process.on("SIGTERM", () => void interrupted("SIGTERM"));
try {
  if (!(await main())) process.exitCode = 1;
} catch (error) {
  console.error("The benchmark could not run:", error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
