/**
 * HTTP API benchmark: requests per second, median and 99th-percentile latency and errors of the Recur API over
 * loopback HTTP (127.0.0.1, 50 concurrent connections, closed loop, autocannon), next to a bare Fastify app
 * measured the same way in the same run:
 *
 *   1. baseline: a new `Fastify()` with one `GET /hello` route, default settings, no logging (run first and last:
 *      how far apart the two are says how steady the machine was);
 *   2. signed `GET /integration/subscription-plans` on the real app;
 *   3. signed `POST /integration/subscriptions` (a draft per request) on the real app;
 *
 * 2 and 3 on the embedded PGlite (a data directory in a temporary folder, as a deployment has) and on a private
 * PostgreSQL server started for the run. Every request is signed afresh (the server refuses a replayed
 * signature). Each case gets a fresh server and database, warms up under the same load, then is measured; a run
 * ends by letting the requests in flight finish, so after the draft run the drafts in the database must equal the
 * 2xx answers counted. A second table says which side was the bottleneck and what a request cost each thread.
 *
 * The server runs in its own child process (its own event loop and core) while autocannon drives the load from
 * this one, for every case alike: sharing one event loop roughly halves the baseline but barely slows the heavier
 * Recur cases, which flatters the comparison. `BENCH_SERVER=inline|worker|process` chooses where the server runs.
 *
 *   npm run bench:api
 *   BENCH_SECONDS=30 npm run bench:api          # measured seconds per case (default 10)
 *   BENCH_WARMUP_SECONDS=0 npm run bench:api    # unmeasured load before each case (default 5)
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import Fastify, { type FastifyInstance } from "fastify";
import pg from "pg";
import type { Address } from "viem";
import { z } from "zod";
import { signRequest } from "../server/auth/signRequest.js";
import { RecurClient } from "../server/client/RecurClient.js";
import { loadConfig } from "../server/config/loadConfig.js";
import { type OpenDatabase, openDatabase } from "../server/db/openDatabase.js";
import { subscriptions } from "../server/db/schema.js";
import { createMerchant } from "../server/domain/merchants.js";
import { createServices } from "../server/domain/Services.js";
import { buildApp } from "../server/http/buildApp.js";
import { ensureSystemPackages, POSTGRESQL } from "./lib/ensureSystemPackages.js";
import { type PostgresServer, startPostgres } from "./lib/startPostgres.js";

const CONNECTIONS = 50;
/** How long requests still in flight at the end of a run may take before autocannon gives up on them. */
const DRAIN_LIMIT_SECONDS = 15;
/** The merchant's accounts on the local chain; payers are small numbers, so never one of these. */
const PAYOUT: Address = "0x1111111111111111111111111111111111111111";
const GAS_WALLET: Address = "0x2222222222222222222222222222222222222222";

// ---------------------------------------------------------------------------------------------------------------
// The servers under test, and the messages with the process or thread that runs one

const targetSpec = z.union([
  z.object({ app: z.literal("baseline") }),
  z.object({ app: z.literal("recur"), engine: z.literal("pglite") }),
  z.object({ app: z.literal("recur"), engine: z.literal("postgres"), databaseUrl: z.string() }),
]);
type TargetSpec = z.infer<typeof targetSpec>;

const targetInfo = z.object({
  url: z.string(),
  /** The Recur app's merchant and its Active plan; absent for the baseline. */
  merchant: z.object({ apiKey: z.string(), apiSecret: z.string(), planId: z.string() }).optional(),
});
type TargetInfo = z.infer<typeof targetInfo>;

const toHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("sample") }),
  z.object({ type: z.literal("close") }),
]);
const fromHost = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), info: targetInfo }),
  z.object({ type: z.literal("failed"), message: z.string() }),
  z.object({
    type: z.literal("sample"),
    sample: z.object({ drafts: z.number(), thread: z.object({ loopBusy: z.number(), cpuMicros: z.number() }) }),
  }),
  z.object({ type: z.literal("closed") }),
]);
type ToHost = z.infer<typeof toHost>;
type FromHost = z.infer<typeof fromHost>;

/** How much a thread worked between two readings. */
interface ThreadUse {
  /** The share of the time its event loop was busy: near 1, it was the bottleneck. */
  loopBusy: number;
  /** CPU time the thread used (user + system), microseconds: what each request cost, whatever else ran. */
  cpuMicros: number;
}

/** What a server under test reports between two runs. */
interface TargetSample {
  /** How many subscriptions the database holds (0 for the baseline). */
  drafts: number;
  /** The server's thread since the previous sample. */
  thread: ThreadUse;
}

/** A server under test, running where this process put it. */
interface Target {
  info: TargetInfo;
  sample(): Promise<TargetSample>;
  close(): Promise<void>;
}

/** How much this thread worked since the previous call (the first call: since the meter was made). */
function threadMeter(): () => ThreadUse {
  let loop = performance.eventLoopUtilization();
  let cpu = process.threadCpuUsage();
  return () => {
    const loopNow = performance.eventLoopUtilization();
    const cpuUsed = process.threadCpuUsage(cpu);
    const use = {
      loopBusy: performance.eventLoopUtilization(loopNow, loop).utilization,
      cpuMicros: cpuUsed.user + cpuUsed.system,
    };
    loop = loopNow;
    cpu = process.threadCpuUsage();
    return use;
  };
}

function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("the server is not listening on TCP");
  return `http://127.0.0.1:${address.port}`;
}

async function startBaseline(): Promise<Target> {
  const app = Fastify();
  app.get("/hello", async () => ({ hello: "world" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const thread = threadMeter();
  return {
    info: { url: listeningUrl(app) },
    sample: async () => ({ drafts: 0, thread: thread() }),
    close: () => app.close(),
  };
}

/** The PGlite data directory in a fresh temporary folder, or a database on the private PostgreSQL server. */
async function openBenchDatabase(spec: Extract<TargetSpec, { app: "recur" }>) {
  if (spec.engine === "postgres") {
    return { database: await openDatabase({ kind: "postgres", url: spec.databaseUrl }), removeFiles: () => {} };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "recur-bench-"));
  const removeFiles = () => rmSync(dir, { recursive: true, force: true });
  try {
    return { database: await openDatabase({ kind: "pglite", dataDir: path.join(dir, "db") }), removeFiles };
  } catch (error) {
    removeFiles();
    throw error;
  }
}

/**
 * The real app as `server/main.ts` builds it (request logging off), listening on a free port, with a merchant on
 * the local chain and an Active plan created through the typed client.
 */
async function startRecur(spec: Extract<TargetSpec, { app: "recur" }>): Promise<Target> {
  // the load comes from one address and one key, far above any sensible limit: what is measured is the API
  const config = loadConfig({
    RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
    RECUR_LOG_LEVEL: "silent",
    RECUR_RATE_LIMIT_PER_KEY: "off",
    RECUR_RATE_LIMIT_PER_ADDRESS: "off",
  });
  const { database, removeFiles } = await openBenchDatabase(spec);
  let app: FastifyInstance | undefined;
  const close = async () => {
    await app?.close();
    await database.close();
    removeFiles();
  };
  try {
    const services = createServices(database.db, config);
    app = await buildApp({ services, logRequests: false });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = listeningUrl(app);
    const merchant = await createMerchant(database.db, services.apiSecrets, {
      name: "Bench Shop",
      webhookUrl: null,
      chains: [{ chainId: 31337, payoutAddress: PAYOUT, gasWalletAddress: GAS_WALLET }],
    });
    const client = new RecurClient(url, merchant);
    const plan = await client.createPlan({ name: "Bench", amount: "10 tUSDC", periodSeconds: 2_592_000 });
    await client.activatePlan(plan.id);
    return {
      info: { url, merchant: { apiKey: merchant.apiKey, apiSecret: merchant.apiSecret, planId: plan.id } },
      sample: sampler(database),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function sampler(database: OpenDatabase): () => Promise<TargetSample> {
  const meter = threadMeter();
  return async () => {
    // the thread first, so the count's own query is not in it
    const thread = meter();
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(subscriptions);
    return { drafts: Number(row?.n ?? 0), thread };
  };
}

function startTarget(spec: TargetSpec): Promise<Target> {
  return spec.app === "baseline" ? startBaseline() : startRecur(spec);
}

// ---------------------------------------------------------------------------------------------------------------
// Where the server runs: this event loop, a worker thread, or a child process (this same file in another role)

type Placement = "inline" | "worker" | "process";

const PLACEMENTS: Record<Placement, string> = {
  inline: "in this process, sharing autocannon's event loop",
  worker: "in a worker thread of this process",
  process: "in a child process",
};

/** The environment variable that makes this file a server host in a child process. */
const HOST_ENV = "RECUR_BENCH_API_HOST";

/** Both ends of a host's message channel. */
interface Channel<Out> {
  send(message: Out): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Serves one target over `channel`: reports it ready, samples it when asked, closes it when told. */
async function runHost(spec: TargetSpec, channel: Channel<FromHost>): Promise<Target | undefined> {
  let target: Target;
  try {
    target = await startTarget(spec);
  } catch (error) {
    channel.send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return undefined;
  }
  channel.onMessage((raw) => {
    const message = toHost.parse(raw);
    if (message.type === "sample") {
      void target.sample().then((sample) => channel.send({ type: "sample", sample }));
    } else {
      void target.close().then(() => channel.send({ type: "closed" }));
    }
  });
  channel.send({ type: "ready", info: target.info });
  return target;
}

/**
 * The main side of a host: sends one message at a time and waits for its answer; every wait fails once the host
 * has exited.
 */
function hostClient(channel: Channel<ToHost>, exited: Promise<void>, kill: () => void) {
  const waiting: { resolve: (message: FromHost) => void; reject: (error: Error) => void }[] = [];
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const waiter of waiting.splice(0)) waiter.reject(new Error("the server's host exited"));
  });
  channel.onMessage((raw) => waiting.shift()?.resolve(fromHost.parse(raw)));
  const next = () =>
    new Promise<FromHost>((resolve, reject) => {
      if (gone) reject(new Error("the server's host exited"));
      else waiting.push({ resolve, reject });
    });
  const ask = (message: ToHost) => {
    const answer = next();
    if (!gone) channel.send(message);
    return answer;
  };
  return {
    async ready(): Promise<TargetInfo> {
      const message = await next();
      if (message.type === "ready") return message.info;
      kill();
      throw new Error(message.type === "failed" ? `the server did not start: ${message.message}` : "no ready message");
    },
    async sample(): Promise<TargetSample> {
      const answer = await ask({ type: "sample" });
      if (answer.type !== "sample") throw new Error(`expected a sample, got ${answer.type}`);
      return answer.sample;
    },
    /** Asks the host to close its server (10 s at most), then ends the thread or process. */
    async close(): Promise<void> {
      const closed = ask({ type: "close" }).catch(() => undefined);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
      await Promise.race([closed, timeout]);
      kill();
      await exited;
    },
  };
}

async function startInWorker(spec: TargetSpec): Promise<Target> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { [HOST_ENV]: spec } });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("error", (error) => console.error("The server's worker thread failed:", error));
  const client = hostClient(
    { send: (message) => worker.postMessage(message), onMessage: (listener) => worker.on("message", listener) },
    exited,
    () => void worker.terminate(),
  );
  return { info: await client.ready(), sample: () => client.sample(), close: () => client.close() };
}

async function startInProcess(spec: TargetSpec): Promise<Target> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [HOST_ENV]: JSON.stringify(spec) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const client = hostClient(
    { send: (message) => child.send(message), onMessage: (listener) => child.on("message", listener) },
    exited,
    () => {
      // the process this benchmark forked, by its own handle
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  );
  return { info: await client.ready(), sample: () => client.sample(), close: () => client.close() };
}

function startHost(spec: TargetSpec, placement: Placement): Promise<Target> {
  if (placement === "worker") return startInWorker(spec);
  if (placement === "process") return startInProcess(spec);
  return startTarget(spec);
}

/** This file as a worker thread hosting a server. */
function serveInWorker(data: unknown): void {
  const port = parentPort;
  if (!port) throw new Error("not a worker thread");
  const spec = targetSpec.parse(z.object({ [HOST_ENV]: z.unknown() }).parse(data)[HOST_ENV]);
  void runHost(spec, {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => port.on("message", listener),
  });
}

/** This file as a child process hosting a server; it ends when the benchmark closes the channel. */
function serveInProcess(json: string): void {
  const spec = targetSpec.parse(JSON.parse(json));
  const send = process.send?.bind(process);
  if (!send) throw new Error(`${HOST_ENV} is only for a child process forked by the benchmark`);
  // Ctrl-C reaches the whole process group: the benchmark decides when this server stops
  process.on("SIGINT", () => {});
  const target = runHost(spec, {
    send: (message) => send(message),
    onMessage: (listener) => process.on("message", listener),
  });
  process.once("disconnect", () => {
    void target
      .then((started) => started?.close())
      .catch(() => {})
      .finally(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The load: autocannon, one request template per case, each request built (and signed) afresh

interface Signer {
  apiKey: string;
  apiSecret: string;
}

/** Sets the signature headers of one request, signed now. */
function signed(signer: Signer, request: autocannon.Request, method: "GET" | "POST", pathWithQuery: string, body = "") {
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    ...request,
    method,
    path: pathWithQuery,
    body,
    headers: {
      ...request.headers,
      ...(body ? { "content-type": "application/json" } : {}),
      "x-api-key": signer.apiKey,
      "x-api-ts": ts,
      "x-api-sig": signRequest({ secret: signer.apiSecret, ts, method, path: pathWithQuery, body }),
    },
  };
}

function baselineRequest(): autocannon.Request {
  return { method: "GET", path: "/hello" };
}

/**
 * Signed plan listings. A signature covers ts + method + path + body and is accepted once, and `ts` is in whole
 * seconds, so thousands of reads per second need thousands of distinct paths per second (signing with older or
 * newer seconds of the accepted window gives only a few hundred more). The only query parameters are `limit`,
 * `offset` and `statusIn` (the schema refuses others): `limit` has 100 values and `statusIn` a handful, but
 * `offset` takes any of 0..1,000,000, so each read asks for another offset, cycling through the range (which
 * takes far longer than a second). Past the one plan, a page is empty: the same signature check, replay guard,
 * validation and database query as any listing, with a shorter answer.
 */
function readRequest(signer: Signer): autocannon.Request {
  let sequence = 0;
  return {
    setupRequest: (request) => {
      const offset = sequence++ % 1_000_001;
      return signed(signer, request, "GET", `/integration/subscription-plans?offset=${offset}`);
    },
  };
}

/** A payer address from a sequence number: `0x` and the number in 40 hex digits; never the zero address. */
function payerOf(sequence: number): string {
  return `0x${sequence.toString(16).padStart(40, "0")}`;
}

/** Draft creations, each for another customer and payer, so no two bodies (and no two signatures) are alike. */
function draftRequest(merchant: Signer & { planId: string }): autocannon.Request {
  let sequence = 0;
  return {
    setupRequest: (request) => {
      sequence++;
      const body = JSON.stringify({
        planId: merchant.planId,
        customerId: `bench-customer-${sequence}`,
        payer: payerOf(sequence),
      });
      return signed(merchant, request, "POST", "/integration/subscriptions", body);
    },
  };
}

interface LoadResult {
  /** Answers of any status. */
  answers: number;
  ok: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  socketErrors: number;
  timeouts: number;
  /** The first few error answers, to say what went wrong. */
  errorSamples: string[];
}

/** The fields of autocannon 9's per-connection client that {@link finishInFlight} relies on (not in its typings). */
type DrainableClient = autocannon.Client & { reqsMade: number; responseMax: number | undefined };

function isDrainable(client: autocannon.Client): client is DrainableClient {
  return "reqsMade" in client && typeof client.reqsMade === "number" && "responseMax" in client;
}

/**
 * Ends a run without abandoning requests: each connection sends nothing more and closes once its request in
 * flight is answered. (autocannon's own end of `duration` closes the sockets at once, so up to one request per
 * connection would be processed by the server but never counted, and the drafts would not match the 2xx count.)
 */
function finishInFlight(clients: DrainableClient[]): void {
  for (const client of clients) client.responseMax = Math.max(1, client.reqsMade);
}

/** Runs `request` for `seconds` over {@link CONNECTIONS} connections and waits for every answer. */
function runLoad(url: string, request: autocannon.Request, seconds: number): Promise<LoadResult> {
  const clients: DrainableClient[] = [];
  const errorSamples: string[] = [];
  const template: autocannon.Request = {
    ...request,
    onResponse: (status, body) => {
      if ((status < 200 || status > 299) && errorSamples.length < 3) errorSamples.push(`${status} ${body}`);
    },
  };
  return new Promise((resolve, reject) => {
    let lastAnswerAt = 0;
    const startedAt = performance.now();
    const deadline = setTimeout(() => finishInFlight(clients), seconds * 1000);
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds + DRAIN_LIMIT_SECONDS,
        requests: [template],
        setupClient: (client) => {
          if (!isDrainable(client)) throw new Error("autocannon's client changed: update finishInFlight()");
          clients.push(client);
        },
      },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(deadline);
        if (error) return reject(error);
        const answers = result["2xx"] + result.non2xx;
        const elapsedSeconds = (lastAnswerAt - startedAt) / 1000;
        const statusCodes: Record<string, number> = {};
        for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
        resolve({
          answers,
          ok: result["2xx"],
          requestsPerSecond: answers > 0 ? answers / elapsedSeconds : 0,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.non2xx + result.errors,
          statusCodes,
          socketErrors: result.errors - result.timeouts,
          timeouts: result.timeouts,
          errorSamples,
        });
      },
    );
    instance.on("response", () => {
      lastAnswerAt = performance.now();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The cases

type Engine = "pglite" | "postgres";
const ENGINE_NAMES: Record<Engine, string> = { pglite: "PGlite", postgres: "PostgreSQL" };

/** One measured case: what server to start and what requests to send it. */
interface CaseDefinition {
  name: string;
  engine: string;
  spec: TargetSpec;
  request: (info: TargetInfo) => autocannon.Request;
  /** Each 2xx answer must have written one subscription. */
  writesDrafts: boolean;
}

interface CaseResult extends LoadResult {
  name: string;
  engine: string;
  /** Subscriptions the measured run added to the database; undefined when the case writes none. */
  drafts?: number;
  /** The server's thread during the measured run. */
  server: ThreadUse;
  /** The thread running autocannon (in `inline` placement, the server's too). */
  client: ThreadUse;
  /** The busy share of all the machine's CPUs, PostgreSQL and any other process included. */
  machineCpu: number;
}

/** The machine's CPU time so far, all cores, idle and total (ms). */
function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** How busy the machine's CPUs were since `since` (a {@link cpuTimes} reading), 0..1. */
function cpuBusySince(since: { idle: number; total: number }): number {
  const now = cpuTimes();
  const total = now.total - since.total;
  return total > 0 ? 1 - (now.idle - since.idle) / total : 0;
}

/**
 * Starts the case's server where `placement` says, warms it up with the same requests, measures, counts the
 * drafts the measured run wrote, and closes the server. `onStarted` registers the server for an interrupted run.
 */
async function measure(
  definition: CaseDefinition,
  settings: Settings,
  onStarted: (target: Target) => () => void,
): Promise<CaseResult> {
  const target = await startHost(definition.spec, settings.placement);
  const forget = onStarted(target);
  try {
    const request = definition.request(target.info);
    if (settings.warmUpSeconds > 0) await runLoad(target.info.url, request, settings.warmUpSeconds);
    const before = await target.sample();
    const client = threadMeter();
    const cpuBefore = cpuTimes();
    const load = await runLoad(target.info.url, request, settings.seconds);
    const machineCpu = cpuBusySince(cpuBefore);
    const clientUse = client();
    const after = await target.sample();
    const result: CaseResult = {
      name: definition.name,
      engine: definition.engine,
      ...load,
      server: after.thread,
      client: clientUse,
      machineCpu,
    };
    if (definition.writesDrafts) result.drafts = after.drafts - before.drafts;
    return result;
  } finally {
    forget();
    await target.close();
  }
}

function merchantOf(info: TargetInfo) {
  if (!info.merchant) throw new Error("the Recur server reported no merchant");
  return info.merchant;
}

async function createDatabase(serverUrl: string): Promise<string> {
  const name = `recur_bench_${randomBytes(8).toString("hex")}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// The report

function percentOf(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)}%`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function printTable(results: CaseResult[], baseline: number): void {
  console.table(
    results.map((r) => ({
      case: r.name,
      engine: r.engine,
      "req/s": Math.round(r.requestsPerSecond),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      errors: r.errors,
      "% of baseline": percentOf(r.requestsPerSecond, baseline),
    })),
  );
}

/**
 * Where the time went: an event loop busy nearly all the time is its case's bottleneck, and CPU time per answer
 * is what a request costs that thread whatever else the machine was doing.
 */
function printWork(results: CaseResult[], placement: Placement): void {
  console.log(
    placement === "inline"
      ? "\nWork per case (server and autocannon share one thread)"
      : "\nWork per case: the server's thread, autocannon's, and all CPUs (PostgreSQL and other processes included)",
  );
  const perAnswer = (micros: number, r: CaseResult) => (r.answers > 0 ? Math.round(micros / r.answers) : 0);
  console.table(
    results.map((r) => ({
      case: r.name,
      engine: r.engine,
      "server loop busy": percent(r.server.loopBusy),
      "server CPU us/req": perAnswer(r.server.cpuMicros, r),
      "autocannon loop busy": percent(r.client.loopBusy),
      "autocannon CPU us/req": perAnswer(r.client.cpuMicros, r),
      "all CPUs busy": percent(r.machineCpu),
    })),
  );
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

function printErrors(results: CaseResult[]): void {
  const failing = results.filter((r) => r.errors > 0);
  if (failing.length === 0) return;
  console.log("\nErrors");
  for (const r of failing) {
    const codes = Object.entries(r.statusCodes)
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, n]) => `${n} x ${code}`);
    console.log(
      `  ${r.name} (${r.engine}): ${[...codes, `${r.socketErrors} socket errors`, `${r.timeouts} timeouts`].join(", ")}`,
    );
    for (const sample of r.errorSamples) console.log(`    ${sample.slice(0, 300)}`);
  }
}

interface Baseline {
  requestsPerSecond: number;
  errors: number;
  /** How far apart its two runs are, relative to their mean. */
  drift: number;
}

function printTargets(baseline: Baseline, byEngine: Map<Engine, { reads: CaseResult; drafts: CaseResult }>): void {
  const lines: string[] = [];
  const target = (label: string, ok: boolean, detail: string) =>
    lines.push(`${ok ? "MET   " : "MISSED"} ${label}: ${detail}`);
  const base = baseline.requestsPerSecond;
  target("baseline: zero errors", baseline.errors === 0, `${baseline.errors} errors`);
  for (const [engine, { reads, drafts }] of byEngine) {
    const label = ENGINE_NAMES[engine];
    target(
      `${label}: signed reads >= 50% of baseline`,
      reads.requestsPerSecond >= base * 0.5,
      `${count(reads.requestsPerSecond)} req/s = ${percentOf(reads.requestsPerSecond, base)} of ${count(base)}`,
    );
    target(
      `${label}: draft creation >= 20% of baseline`,
      drafts.requestsPerSecond >= base * 0.2,
      `${count(drafts.requestsPerSecond)} req/s = ${percentOf(drafts.requestsPerSecond, base)} of ${count(base)}`,
    );
    target(
      `${label}: zero errors`,
      reads.errors === 0 && drafts.errors === 0,
      `reads ${reads.errors}, drafts ${drafts.errors}`,
    );
    const inDatabase = drafts.drafts ?? 0;
    target(
      `${label}: drafts in database == 2xx responses`,
      inDatabase === drafts.ok,
      `${count(inDatabase)} ${inDatabase === drafts.ok ? "==" : "!="} ${count(drafts.ok)}`,
    );
  }
  console.log("\nTargets");
  for (const line of lines) console.log(`  ${line}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The run

interface Settings {
  /** Measured seconds per case. */
  seconds: number;
  /** Seconds of the same load before each measurement, not measured: the JIT and PGlite's WebAssembly warm up. */
  warmUpSeconds: number;
  placement: Placement;
}

function secondsFrom(name: string, fallback: string, allowZero: boolean): number {
  const raw = process.env[name] ?? fallback;
  const seconds = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || (!allowZero && seconds === 0)) {
    throw new Error(`${name} must be a ${allowZero ? "" : "positive "}number of seconds, not "${raw}"`);
  }
  return seconds;
}

function readSettings(): Settings {
  const placement = process.env.BENCH_SERVER ?? "process";
  if (placement !== "inline" && placement !== "worker" && placement !== "process") {
    throw new Error(`BENCH_SERVER must be inline, worker or process, not "${placement}"`);
  }
  return {
    seconds: secondsFrom("BENCH_SECONDS", "10", false),
    warmUpSeconds: secondsFrom("BENCH_WARMUP_SECONDS", "5", true),
    placement,
  };
}

/** What must be undone however the run ends: the server under test, the PostgreSQL server. */
const cleanups = new Set<() => Promise<void> | void>();

async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      await cleanup();
    } catch (error) {
      console.error("cleaning up failed:", error);
    }
  }
}

function track(target: Target): () => void {
  const close = () => target.close();
  cleanups.add(close);
  return () => cleanups.delete(close);
}

/** Whether other processes keep the CPUs busy, over one second before the run: they skew every figure. */
async function printMachineLoad(): Promise<void> {
  const idleBefore = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const busy = cpuBusySince(idleBefore);
  console.log(
    `CPUs busy before the run: ${percent(busy)}` +
      (busy > 0.1 ? " - other processes are running: the figures will be low and noisy" : ""),
  );
}

async function main(): Promise<void> {
  const settings = readSettings();
  ensureSystemPackages([POSTGRESQL]);
  const postgres: PostgresServer = await startPostgres();
  cleanups.add(() => postgres.stop());

  console.log(
    `Recur API benchmark: loopback HTTP on 127.0.0.1, ${CONNECTIONS} connections, ${settings.seconds} s per case ` +
      `after ${settings.warmUpSeconds} s of warm-up; server ${PLACEMENTS[settings.placement]}, autocannon in this one`,
  );
  console.log(`Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? "unknown"})`);
  await printMachineLoad();

  const results: CaseResult[] = [];
  const run = async (definition: CaseDefinition) => {
    const result = await measure(definition, settings, track);
    results.push(result);
    return result;
  };
  // the baseline first and last: how far apart they are says how steady the machine was
  const bare = (when: string): CaseDefinition => ({
    name: `bare Fastify GET /hello (baseline, ${when})`,
    engine: "-",
    spec: { app: "baseline" },
    request: baselineRequest,
    writesDrafts: false,
  });
  const first = await run(bare("first"));

  const byEngine = new Map<Engine, { reads: CaseResult; drafts: CaseResult }>();
  for (const engine of ["pglite", "postgres"] as const) {
    const spec = async (): Promise<TargetSpec> =>
      engine === "pglite"
        ? { app: "recur", engine }
        : { app: "recur", engine, databaseUrl: await createDatabase(postgres.url) };
    const reads = await run({
      name: "signed GET /integration/subscription-plans",
      engine: ENGINE_NAMES[engine],
      spec: await spec(),
      request: (info) => readRequest(merchantOf(info)),
      writesDrafts: false,
    });
    const drafts = await run({
      name: "signed POST /integration/subscriptions (draft)",
      engine: ENGINE_NAMES[engine],
      spec: await spec(),
      request: (info) => draftRequest(merchantOf(info)),
      writesDrafts: true,
    });
    byEngine.set(engine, { reads, drafts });
  }
  const last = await run(bare("last"));
  const baseline = baselineOf(first, last);

  console.log("");
  printTable(results, baseline.requestsPerSecond);
  console.log(
    `Baseline: the mean of its first and last runs, ${count(baseline.requestsPerSecond)} req/s; they differ by ` +
      `${percent(baseline.drift)}${baseline.drift > 0.1 ? " - the machine was not steady: compare with care" : ""}`,
  );
  printWork(results, settings.placement);
  printErrors(results);
  printTargets(baseline, byEngine);
}

/** The baseline the cases are compared with: both its runs, averaged. */
function baselineOf(first: CaseResult, last: CaseResult): Baseline {
  const requestsPerSecond = (first.requestsPerSecond + last.requestsPerSecond) / 2;
  return {
    requestsPerSecond,
    errors: first.errors + last.errors,
    drift: Math.abs(first.requestsPerSecond - last.requestsPerSecond) / requestsPerSecond,
  };
}

async function interrupted(signal: NodeJS.Signals): Promise<void> {
  console.error(`\n${signal}: stopping the servers`);
  await cleanUp();
  process.exit(130);
}

const hostInProcess = process.env[HOST_ENV];
if (!isMainThread) {
  serveInWorker(workerData);
} else if (hostInProcess !== undefined) {
  serveInProcess(hostInProcess);
} else {
  process.once("SIGINT", () => void interrupted("SIGINT"));
  process.once("SIGTERM", () => void interrupted("SIGTERM"));
  try {
    await main();
    await cleanUp();
  } catch (error) {
    console.error("The benchmark could not run:", error instanceof Error ? error.message : error);
    await cleanUp();
    process.exit(1);
  }
}
