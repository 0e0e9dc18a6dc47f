/**
 * The test command (`npm test`): runs every test runner in turn, streams their output, and ends with one plain line
 * `N passed, N failed` summing them all, which is what CI reads. Exits non-zero if any runner fails or its results
 * cannot be read. It always ends: each runner has a deadline after which it is stopped with everything it started
 * (and counted as failed), every node:test file has one too, and a process a runner leaves behind is killed and
 * counted as a failure (see test/runner/runTestRunners.ts). Ctrl-C stops the runner under way and still prints the
 * summary.
 */

import { ensureSystemPackages, POSTGRESQL } from "../../stack/ensureSystemPackages.js";
import { type PostgresServer, startPostgres } from "../../stack/startPostgres.js";
import { runTestRunners, type TestRunner } from "./runTestRunners.js";
import { testResults } from "./testResults.js";

const MINUTE = 60_000;

/**
 * node:test's switches for every runner (its reporters, spec for people and one for `npm test`'s counts, come from
 * `testResults.nodeTest`): a file still running after 40 minutes is stopped (`--test-timeout`
 * bounds each file as a whole; each suite and hook carries its own, shorter timeout), and a file whose tests have
 * all ended exits even if something it opened is still open (`--test-force-exit`; the processes it owned are
 * killed as it exits).
 */
const nodeTest = ["--test", `--test-timeout=${40 * MINUTE}`, "--test-force-exit"];

const serverTests = [...nodeTest, "--test-concurrency=2", "server/test/**/*.test.ts"];

const runners: TestRunner[] = [
  {
    name: "contracts: Solidity, TypeScript integration and fork tests (hardhat test)",
    command: "hardhat",
    args: ["test", "--snapshot-check"],
    deadlineMs: 30 * MINUTE,
    results: testResults.hardhat,
  },
  {
    name: "server on the embedded database (PGlite)",
    command: "tsx",
    args: serverTests,
    deadlineMs: 60 * MINUTE,
    results: testResults.nodeTest,
  },
  {
    name: "server on a PostgreSQL server",
    command: "tsx",
    args: serverTests,
    deadlineMs: 45 * MINUTE,
    // a private server started for this run, unless the caller names one
    setUp: async () => {
      if (process.env.RECUR_TEST_DATABASE_URL) {
        return { env: { RECUR_TEST_DATABASE_URL: process.env.RECUR_TEST_DATABASE_URL }, tearDown: () => {} };
      }
      ensureSystemPackages([POSTGRESQL]);
      const server: PostgresServer = await startPostgres();
      return { env: { RECUR_TEST_DATABASE_URL: server.url }, tearDown: () => server.stop() };
    },
    results: testResults.nodeTest,
  },
  {
    name: "web: the signing proxy over HTTP, in front of the real platform",
    command: "tsx",
    args: [...nodeTest, "web/test/*.test.ts"],
    deadlineMs: 20 * MINUTE,
    results: testResults.nodeTest,
  },
  {
    name: "web: components (vitest)",
    command: "vitest",
    args: ["run", "--config", "web/vitest.config.ts"],
    env: { NO_COLOR: "1" },
    deadlineMs: 15 * MINUTE,
    results: testResults.vitest,
  },
  {
    name: "web: the dApp in chromium with a test wallet (Playwright), against the whole platform",
    command: "tsx",
    args: [...nodeTest, "web/test/e2e/*.e2e.test.ts"],
    deadlineMs: 30 * MINUTE,
    results: testResults.nodeTest,
  },
  {
    name: "the command line, npm start and the test runner, as a user runs them",
    command: "tsx",
    args: [...nodeTest, "cli/test/**/*.test.ts", "stack/test/**/*.test.ts", "test/runner/**/*.test.ts"],
    deadlineMs: 60 * MINUTE,
    results: testResults.nodeTest,
  },
];

// Ctrl-C (or a CI's SIGTERM) stops the runner under way; the summary still comes
const interrupted = new AbortController();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => interrupted.abort(signal));
}
const summary = await runTestRunners(runners, { signal: interrupted.signal });
process.exit(summary.ok ? 0 : 1);
