import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { hookTimeouts } from "../support/hookTimeouts.js";
import { runTestRunners, type TestRunner } from "./runTestRunners.js";
import { testResults } from "./testResults.js";

const fixtures = path.join(import.meta.dirname, "fixtures");

/** True while process `pid` exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/**
 * What `npm test` does with a test file that misbehaves: every runner ends, the summary line always comes, and
 * every process the file started is gone afterwards, by pid.
 */
describe("npm test's runners, with test files that fail, hang or leave processes behind", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "recur-runner-test-"));
  const started: number[] = [];
  after(() => {
    for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

  /** Runs one fixture as `npm test` runs node:test files, and returns the summary, output and fixture's child. */
  async function run(
    fixture: string,
    env: Record<string, string>,
    options: { deadlineMs?: number; stopWhenStarted?: boolean } = {},
  ) {
    const pidFile = path.join(dir, `${fixture}-${Object.values(env).join("-")}.pid`);
    const runner: TestRunner = {
      name: fixture,
      command: "tsx",
      args: ["--test", "--test-force-exit", path.join(fixtures, fixture)],
      env: { ...env, FIXTURE_PID_FILE: pidFile },
      deadlineMs: options.deadlineMs ?? 120_000,
      results: testResults.nodeTest,
    };
    // stopping as soon as the fixture has started its process is Ctrl-C at the worst moment
    const interrupt = new AbortController();
    const watcher = options.stopWhenStarted
      ? setInterval(() => existsSync(pidFile) && interrupt.abort(), 100)
      : undefined;
    let output = "";
    try {
      const summary = await runTestRunners([runner], {
        write: (text) => {
          output += text;
        },
        signal: interrupt.signal,
        graceMs: 2_000,
      });
      assert.ok(existsSync(pidFile), `the fixture started its process:\n${output}`);
      const pid = Number(readFileSync(pidFile, "utf8"));
      started.push(pid);
      return { summary, output, pid };
    } finally {
      clearInterval(watcher);
    }
  }

  it("ends a file that fails before stopping a process it owns, and the process goes with it", async () => {
    const { summary, output, pid } = await run("leavesProcess.fixture.ts", { FIXTURE_SPAWN: "owned" });
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [0, 1, false]);
    assert.match(output, /\n0 passed, 1 failed\n$/, "the summary is the last line");
    assert.doesNotMatch(output, /still running after/, "it ended by itself, long before its deadline");
    assert.equal(alive(pid), false, `process ${pid} is gone`);
  });

  it("kills a process a file started without owning it, and counts it as a failure", async () => {
    const { summary, output, pid } = await run("leavesProcess.fixture.ts", { FIXTURE_SPAWN: "plain" });
    assert.match(output, new RegExp(`left processes behind \\(now killed\\).*\\n\\s+${pid} `, "s"));
    assert.deepEqual([summary.passed, summary.failed], [0, 2], "the failing test and the process left behind");
    assert.equal(alive(pid), false, `process ${pid} is gone`);
  });

  it("stops a file still running at the runner's deadline, with what it started", async () => {
    const { summary, output, pid } = await run("hangs.fixture.ts", { FIXTURE_HANG: "wait" }, { deadlineMs: 30_000 });
    assert.match(output, /still running after 0\.5 min: stopping it and everything it started/);
    assert.equal(summary.ok, false);
    assert.ok(summary.failed >= 1);
    assert.match(output, /\n0 passed, \d+ failed\n$/);
    assert.equal(alive(pid), false, `process ${pid} is gone`);
  });

  it("kills what a file blocked in a busy loop started, when even SIGTERM cannot stop the file", async () => {
    const { summary, output, pid } = await run("hangs.fixture.ts", { FIXTURE_HANG: "busy" }, { stopWhenStarted: true });
    assert.match(output, /interrupted: stopping it/);
    assert.match(output, new RegExp(`left processes behind \\(now killed\\).*\\n\\s+${pid} `, "s"));
    assert.equal(summary.ok, false);
    assert.equal(alive(pid), false, `process ${pid} is gone`);
  });

  it("still prints the sum of what ran when interrupted, and runs nothing more", async () => {
    let output = "";
    const passes: TestRunner = {
      name: "passes",
      command: "tsx",
      args: ["--test", path.join(fixtures, "passes.fixture.ts")],
      deadlineMs: 120_000,
      results: testResults.nodeTest,
    };
    const interrupt = new AbortController();
    const summary = await runTestRunners(
      [passes, { ...passes, name: "interrupted" }, { ...passes, name: "never started" }],
      {
        write: (text) => {
          output += text;
          // Ctrl-C as the second runner starts
          if (text.includes("=== interrupted")) interrupt.abort();
        },
        signal: interrupt.signal,
      },
    );
    assert.match(output, /^passes: 1 passed, 0 failed/m);
    assert.match(output, /^interrupted: interrupted: stopping it/m);
    assert.match(output, /^never started: not run \(interrupted\)$/m);
    assert.deepEqual([summary.passed, summary.ok], [1, false]);
    assert.ok(summary.failed >= 1);
    assert.match(output, /\n1 passed, [1-9]\d* failed\n$/);
  });
});

/**
 * How `npm test` reads each runner's results: from the machine-readable file the runner writes, never from its
 * output, which still reaches the terminal for people.
 */
describe("npm test's reading of each runner's results", { timeout: 300_000 }, () => {
  /** Runs `runners` as `npm test` does, and returns the summary and everything printed. */
  async function run(...runners: TestRunner[]) {
    let output = "";
    const summary = await runTestRunners(runners, {
      write: (text) => {
        output += text;
      },
      graceMs: 2_000,
    });
    return { summary, output };
  }

  /** node:test over one fixture, as `npm test` runs its node:test files. */
  const nodeTestRunner = (name: string, fixture: string, ...options: string[]): TestRunner => ({
    name,
    command: "tsx",
    args: ["--test", ...options, path.join(fixtures, fixture)],
    deadlineMs: 120_000,
    results: testResults.nodeTest,
  });

  /** vitest with the given config, as `npm test` runs the web's components tests. */
  const vitestRunner = (name: string, config: string): TestRunner => ({
    name,
    command: "vitest",
    args: ["run", "--config", path.join(fixtures, "vitest", config)],
    env: { NO_COLOR: "1" },
    deadlineMs: 120_000,
    results: testResults.vitest,
  });

  it("counts node:test's cancelled tests as failed: cut short by a failed hook or by their timeout", async () => {
    const { summary, output } = await run(nodeTestRunner("node:test", "cancelled.fixture.ts", "--test-force-exit"));
    // one failed test, two the hook cancelled, one that timed out
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [1, 4, false]);
    assert.match(output, /^ℹ pass 1$/m, "the spec reporter still prints to the terminal");
    assert.match(output, /^ℹ fail 1$/m);
    assert.match(output, /^ℹ cancelled 3$/m);
    assert.match(output, /\n1 passed, 4 failed\n$/);
  });

  it("counts a node:test run that crashed before writing its results as one failure", async () => {
    const { summary, output } = await run(nodeTestRunner("crashes", "crashes.fixture.ts"));
    assert.match(output, /^crashes: could not read its results: .*; counted as one failure$/m);
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [0, 1, false]);
    assert.match(output, /\n0 passed, 1 failed\n$/);
  });

  it("counts a vitest file that does not load as a failure, besides its failed tests", async () => {
    const { summary, output } = await run(vitestRunner("vitest", "vitest.config.ts"));
    // vitest's own line counts tests only: the file that did not load is in `Test Files  2 failed`
    assert.match(output, /^\s*Tests\s+1 failed \| 1 passed \(2\)$/m);
    assert.match(output, /^\s*Test Files\s+2 failed \(2\)$/m);
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [1, 2, false]);
  });

  it("counts a vitest run that wrote no report as one failure", async () => {
    const { summary, output } = await run(vitestRunner("vitest without a config", "no.such.config.ts"));
    assert.match(output, /^vitest without a config: could not read its results: it wrote no results file/m);
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [0, 1, false]);
  });

  it("reads hardhat test's counts from its test runners' results, cancelled tests among the failed", async () => {
    const { summary, output } = await run({
      name: "hardhat",
      command: "hardhat",
      args: ["test", "--no-compile", path.join(fixtures, "cancelled.fixture.ts")],
      deadlineMs: 240_000,
      results: testResults.hardhat,
    });
    // Hardhat's reporter counts the failed hook as a failure of its own, besides the tests it cancelled
    assert.deepEqual([summary.passed, summary.failed, summary.ok], [1, 5, false]);
    assert.match(output, /^1 passing \(1 nodejs\)$/m, "the counts are the ones Hardhat prints");
    assert.match(output, /^5 failing \(5 nodejs\)$/m);
  });
});
