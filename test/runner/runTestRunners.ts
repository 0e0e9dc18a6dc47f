import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { groupMembers, PROCESS_REGISTRY_VARIABLE, signalGroup, startProcess } from "../../stack/startProcess.js";
import type { TestCounts, TestResultsFormat } from "./testResults.js";

/** One test runner (`hardhat test`, `tsx --test ...`, `vitest run`) and how to read its results. */
export interface TestRunner {
  name: string;
  command: string;
  /** Its arguments; the options that make it write its results to a file come before them. */
  args: string[];
  env?: Record<string, string>;
  /** How long it may take in all; then it is stopped, with everything it started, and counted as a failure. */
  deadlineMs: number;
  /** Starts what the runner needs (and returns how to stop it). */
  setUp?: () => Promise<{ env: Record<string, string>; tearDown: () => void }>;
  /** How it writes its results, machine-readable, to a file of the run's (see `testResults`), and how they are read. */
  results: TestResultsFormat;
}

export interface RunTestRunnersOptions {
  /** Where the runners' output and the summary go; the terminal by default. */
  write?: (text: string, stream: "stdout" | "stderr") => void;
  /** Aborting (Ctrl-C) stops the runner under way and runs no more; the summary still comes, as a failure. */
  signal?: AbortSignal;
  /** How long a stopped runner has to end after SIGTERM before its process group is killed. */
  graceMs?: number;
}

/** The whole run's result: every runner's counts summed, and whether it all succeeded. */
export interface TestRunSummary extends TestCounts {
  ok: boolean;
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/**
 * Runs each runner in turn in a process group of its own, streaming its output, and ends with one plain line,
 * `N passed, N failed`, summing them all: always, whatever a runner does. A runner still running at its deadline
 * is stopped (SIGTERM to its group, SIGKILL after a grace period) and counted as failed; a runner that leaves a
 * process behind (one of its group still running after it, or an owned process, see `startProcess`, whose owner
 * died without stopping it) has it killed and gets a failure for it; a runner whose results cannot be read (it
 * crashed before writing them), or that fails without a failing test (a gas snapshot mismatch), counts as one failure.
 * Each runner writes its results to a file in a directory of this run's own, removed when the run ends.
 */
export async function runTestRunners(
  runners: readonly TestRunner[],
  options: RunTestRunnersOptions = {},
): Promise<TestRunSummary> {
  const write =
    options.write ?? ((text, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(text));
  const say = (line: string) => write(`${line}\n`, "stdout");
  const complain = (line: string) => write(`${line}\n`, "stderr");
  const total: TestRunSummary = { passed: 0, failed: 0, ok: true };
  const lines: string[] = [];

  const resultsDirectory = mkdtempSync(path.join(tmpdir(), "recur-test-results-"));
  try {
    for (const [index, runner] of runners.entries()) {
      if (options.signal?.aborted) {
        lines.push(`${runner.name}: not run (interrupted)`);
        continue;
      }
      const started = Date.now();
      const resultsFile = path.join(resultsDirectory, `runner-${index + 1}`);
      const result = await runOne(runner, resultsFile, { ...options, say, complain, write });
      total.passed += result.passed;
      total.failed += result.failed;
      total.ok &&= result.ok;
      lines.push(
        `${runner.name}: ${result.passed} passed, ${result.failed} failed in ${minutes(Date.now() - started)}`,
      );
    }
  } finally {
    rmSync(resultsDirectory, { recursive: true, force: true });
  }
  if (options.signal?.aborted) {
    total.ok = false;
    if (total.failed === 0) total.failed = 1;
  }
  say("");
  for (const line of lines) say(line);
  say(`\n${total.passed} passed, ${total.failed} failed`);
  return { ...total, ok: total.ok && total.failed === 0 };
}

async function runOne(
  runner: TestRunner,
  resultsFile: string,
  options: RunTestRunnersOptions & {
    say: (line: string) => void;
    complain: (line: string) => void;
    write: NonNullable<RunTestRunnersOptions["write"]>;
  },
): Promise<{ passed: number; failed: number; ok: boolean }> {
  const { say, complain, write } = options;
  say(`\n=== ${runner.name}\n`);
  let setUp: Awaited<ReturnType<NonNullable<TestRunner["setUp"]>>> | undefined;
  try {
    setUp = await runner.setUp?.();
  } catch (error) {
    complain(`${runner.name}: could not start: ${(error as Error).message}; counted as one failure`);
    return { passed: 0, failed: 1, ok: false };
  }
  const registry = mkdtempSync(path.join(tmpdir(), "recur-test-processes-"));
  try {
    const results = runner.results.request(resultsFile);
    // the PGlite run must not inherit a PostgreSQL URL from the caller's environment
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...runner.env,
      ...setUp?.env,
      ...results.env,
      [PROCESS_REGISTRY_VARIABLE]: registry,
    };
    if (!setUp) delete env.RECUR_TEST_DATABASE_URL;
    // a run of its own, even when started from inside a test file (whose node:test would skip the files)
    delete env.NODE_TEST_CONTEXT;
    const child = startProcess(runner.command, [...results.args, ...runner.args], {
      env,
      onOutput: (chunk, stream) => write(chunk.toString(), stream),
    });

    let stopped: string | undefined;
    const stop = (why: string) => {
      if (stopped || !child.running()) return;
      stopped = why;
      complain(`\n${runner.name}: ${why}: stopping it and everything it started; counted as a failure`);
      void child.stop({ graceMs: options.graceMs ?? 10_000 });
    };
    const deadline = setTimeout(() => stop(`still running after ${minutes(runner.deadlineMs)}`), runner.deadlineMs);
    const onAbort = () => stop("interrupted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const exit = await child.exited;
    clearTimeout(deadline);
    options.signal?.removeEventListener("abort", onAbort);

    // what is still running now was left behind: by the runner (in its group), or by a process that owned it
    const leftBehind = stopped ? [] : [...exit.leftBehind];
    const killed: number[] = [];
    for (const file of readdirSync(registry)) {
      const pid = Number(file);
      const members = groupMembers(pid) ?? (signalGroup(pid, 0) ? [`${pid} (its process group)`] : []);
      if (members.length === 0) continue;
      leftBehind.push(...members);
      signalGroup(pid, "SIGKILL");
      killed.push(pid);
    }
    // a killed process takes a moment to go
    for (let wait = 0; wait < 50 && killed.some((pid) => (groupMembers(pid)?.length ?? 0) > 0); wait++) {
      await sleep(100);
    }
    if (leftBehind.length > 0) {
      complain(
        `\n${runner.name}: left processes behind (now killed); counted as a failure:\n  ${leftBehind.join("\n  ")}`,
      );
    }

    let counts: TestCounts;
    try {
      counts = runner.results.read(resultsFile);
    } catch (error) {
      complain(
        `\n${runner.name}: could not read its results: ${(error as Error).message} (exit code ${exit.code ?? exit.signal}); counted as one failure`,
      );
      return { passed: 0, failed: 1, ok: false };
    }
    let failed = counts.failed;
    if (stopped) failed += 1;
    if (leftBehind.length > 0) failed += 1;
    const ok = exit.code === 0 && !stopped && leftBehind.length === 0;
    // a runner that fails without a failing test (a gas snapshot mismatch, a crash) still fails the run
    if (!ok && failed === 0) failed = 1;
    return { passed: counts.passed, failed, ok };
  } finally {
    try {
      setUp?.tearDown();
    } catch (error) {
      complain(`${runner.name}: could not stop what it needed: ${(error as Error).message}`);
    }
    rmSync(registry, { recursive: true, force: true });
  }
}
