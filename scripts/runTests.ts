/**
 * The test command (`npm test`): runs every test runner in turn, streams their output, and ends with one plain line
 * `N passed, N failed` summing them all, which is what CI reads. Exits non-zero if any runner fails or its results
 * cannot be read.
 */
import { spawn } from "node:child_process";
import { ensureSystemPackages, POSTGRESQL } from "./lib/ensureSystemPackages.js";
import { type PostgresServer, startPostgres } from "./lib/startPostgres.js";

interface Runner {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Starts what the runner needs (and returns how to stop it). */
  setUp?: () => Promise<{ env: Record<string, string>; tearDown: () => void }>;
  /** Reads the runner's own summary from its output. */
  count: (output: string) => { passed: number; failed: number } | undefined;
}

/** Hardhat's closing lines: `118 passing (104 solidity, 14 nodejs)` and, when some fail, `2 failing (...)`. */
function countHardhat(output: string) {
  const plain = stripAnsi(output);
  const passed = /^(\d+) passing/m.exec(plain);
  const failed = /^(\d+) failing/m.exec(plain);
  if (!passed && !failed) return undefined;
  return { passed: Number(passed?.[1] ?? 0), failed: Number(failed?.[1] ?? 0) };
}

/** node:test's spec reporter closes with `ℹ pass N` and `ℹ fail N`. */
function countNodeTest(output: string) {
  const plain = stripAnsi(output);
  const passed = /^ℹ pass (\d+)/m.exec(plain);
  const failed = /^ℹ fail (\d+)/m.exec(plain);
  if (!passed || !failed) return undefined;
  return { passed: Number(passed[1]), failed: Number(failed[1]) };
}

/** vitest closes with `Tests  19 passed (19)`, or `Tests  2 failed | 17 passed (19)`. */
function countVitest(output: string) {
  const line = /^\s*Tests\s+(.*)\((\d+)\)\s*$/m.exec(stripAnsi(output));
  if (!line?.[1]) return undefined;
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line[1] ?? "")?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed") };
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal colour codes is the point
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

const serverTests = ["--test", "--test-reporter=spec", "--test-concurrency=2", "server/test/**/*.test.ts"];

const runners: Runner[] = [
  {
    name: "contracts: Solidity, TypeScript integration and fork tests (hardhat test)",
    command: "hardhat",
    args: ["test", "--snapshot-check"],
    count: countHardhat,
  },
  {
    name: "server on the embedded database (PGlite)",
    command: "tsx",
    args: serverTests,
    count: countNodeTest,
  },
  {
    name: "server on a PostgreSQL server",
    command: "tsx",
    args: serverTests,
    // a private server started for this run, unless the caller names one
    setUp: async () => {
      if (process.env.RECUR_TEST_DATABASE_URL) {
        return { env: { RECUR_TEST_DATABASE_URL: process.env.RECUR_TEST_DATABASE_URL }, tearDown: () => {} };
      }
      ensureSystemPackages([POSTGRESQL]);
      const server: PostgresServer = await startPostgres();
      return { env: { RECUR_TEST_DATABASE_URL: server.url }, tearDown: () => server.stop() };
    },
    count: countNodeTest,
  },
  {
    name: "web: the signing proxy over HTTP, in front of the real platform",
    command: "tsx",
    args: ["--test", "--test-reporter=spec", "web/test/signingProxy.test.ts", "web/test/loadWebConfig.test.ts"],
    count: countNodeTest,
  },
  {
    name: "web: components (vitest)",
    command: "vitest",
    args: ["run", "--config", "web/vitest.config.ts"],
    env: { NO_COLOR: "1" },
    count: countVitest,
  },
  {
    name: "web: the dApp in chromium with a test wallet (Playwright), against the whole platform",
    command: "tsx",
    args: ["--test", "--test-reporter=spec", "web/test/e2e/*.e2e.test.ts"],
    count: countNodeTest,
  },
  {
    name: "scripts: the command line and npm start, as a user runs them",
    command: "tsx",
    args: ["--test", "--test-reporter=spec", "scripts/test/**/*.test.ts"],
    count: countNodeTest,
  },
];

async function run(runner: Runner): Promise<{ passed: number; failed: number; ok: boolean }> {
  console.log(`\n=== ${runner.name}\n`);
  let setUp: Awaited<ReturnType<NonNullable<Runner["setUp"]>>> | undefined;
  try {
    setUp = await runner.setUp?.();
  } catch (error) {
    console.error(`${runner.name}: could not start: ${(error as Error).message}; counted as one failure`);
    return { passed: 0, failed: 1, ok: false };
  }
  // the PGlite run must not inherit a PostgreSQL URL from the caller's environment
  const env = { ...process.env, ...runner.env, ...setUp?.env };
  if (!setUp) delete env.RECUR_TEST_DATABASE_URL;
  const child = spawn(runner.command, runner.args, { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  setUp?.tearDown();
  const counts = runner.count(output);
  if (!counts) {
    console.error(`\n${runner.name}: could not read its results (exit code ${code}); counted as one failure`);
    return { passed: 0, failed: 1, ok: false };
  }
  return { ...counts, ok: code === 0 };
}

let passed = 0;
let failed = 0;
let ok = true;
for (const runner of runners) {
  const result = await run(runner);
  passed += result.passed;
  failed += result.failed;
  // a runner that fails without a failing test (a gas snapshot mismatch, a crash) still fails the run
  if (!result.ok && result.failed === 0) failed += 1;
  ok &&= result.ok;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
