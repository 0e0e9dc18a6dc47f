import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { HARDHAT_TEST_RESULTS_VARIABLE, type HardhatTestResultsLine } from "./recordHardhatTestResults.js";

/** Passed and failed tests, as a test runner reported them. */
export interface TestCounts {
  passed: number;
  failed: number;
}

/** How a test runner is asked to write its results to a file, machine-readable, and how they are read back. */
export interface TestResultsFormat {
  /**
   * What makes the runner write its results to `file`: options to put before the runner's own arguments (node reads
   * its options only before the first file name) and environment variables.
   */
  request(file: string): { args: string[]; env: Record<string, string> };
  /** Reads the results from `file`; throws an error saying what is wrong when they are missing or incomplete. */
  read(file: string): TestCounts;
}

/** A runner's results file is missing, empty or not what its reporter writes. */
class UnreadableTestResultsError extends Error {
  override name = "UnreadableTestResultsError";
}

function readResults(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UnreadableTestResultsError("it wrote no results file");
  }
  if (text.trim() === "") throw new UnreadableTestResultsError("its results file is empty: the run did not end");
  return text;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnreadableTestResultsError(`its results file holds no ${what}: ${text.slice(0, 200)}`);
  }
}

/** The named fields of `value`, each a count (a non-negative integer); throws naming the first that is not. */
function counts<const Name extends string>(value: unknown, names: readonly Name[], what: string): Record<Name, number> {
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  for (const name of names) {
    if (!Number.isSafeInteger(record[name]) || (record[name] as number) < 0) {
      throw new UnreadableTestResultsError(`${what} has no count \`${name}\`: ${JSON.stringify(value)?.slice(0, 200)}`);
    }
  }
  return record as Record<Name, number>;
}

const NODE_TEST_SUMMARY_REPORTER = pathToFileURL(`${import.meta.dirname}/nodeTestSummaryReporter.ts`).href;

/**
 * The machine-readable results of each test runner `npm test` runs, read from a file rather than from the output
 * people read: node:test's closing summary through a reporter of ours, vitest's JSON report, and what Hardhat's test
 * runners return (Hardhat has no reporter for it, see `recordHardhatTestResults`).
 */
export const testResults = {
  /**
   * node:test (`tsx --test ...`): the spec reporter on standard output, for people, and `nodeTestSummaryReporter`
   * to the file. A cancelled test (one that timed out, or that a failed hook or its suite's timeout cut short)
   * failed.
   */
  nodeTest: {
    request: (file) => ({
      args: [
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        `--test-reporter=${NODE_TEST_SUMMARY_REPORTER}`,
        `--test-reporter-destination=${file}`,
      ],
      env: {},
    }),
    read(file) {
      const lines = readResults(file).trim().split("\n");
      const summary = counts(
        parseJson(lines.at(-1) ?? "", "node:test summary"),
        ["passed", "failed", "cancelled"],
        "node:test's summary",
      );
      return { passed: summary.passed, failed: summary.failed + summary.cancelled };
    },
  },

  /**
   * vitest: its default reporter for people and its JSON report to the file. A test file that failed with none of
   * its tests failed (it did not load, a hook failed, it did not finish) counts as one failure.
   */
  vitest: {
    request: (file) => ({
      args: ["--reporter=default", "--reporter=json", `--outputFile.json=${file}`],
      env: {},
    }),
    read(file) {
      const report = parseJson(readResults(file), "vitest JSON report");
      const totals = counts(report, ["numPassedTests", "numFailedTests"], "vitest's JSON report");
      const files = (report as { testResults?: unknown }).testResults;
      if (!Array.isArray(files)) {
        throw new UnreadableTestResultsError("vitest's JSON report has no `testResults` (one entry per test file)");
      }
      const failedWithoutAFailedTest = files.filter(
        (entry: { status?: unknown; assertionResults?: { status?: unknown }[] }) =>
          entry.status === "failed" && !entry.assertionResults?.some((test) => test.status === "failed"),
      ).length;
      return { passed: totals.numPassedTests, failed: totals.numFailedTests + failedWithoutAFailedTest };
    },
  },

  /** `hardhat test`: the sum of what each of its test runners returned (Solidity tests, node:test files). */
  hardhat: {
    request: (file) => ({ args: [], env: { [HARDHAT_TEST_RESULTS_VARIABLE]: file } }),
    read(file) {
      const total: TestCounts = { passed: 0, failed: 0 };
      for (const text of readResults(file).trim().split("\n")) {
        const line = parseJson(text, "Hardhat test results") as Partial<HardhatTestResultsLine> | null;
        if (line && "unreadable" in line) {
          throw new UnreadableTestResultsError(`hardhat test ${line.runner}: ${line.unreadable}`);
        }
        const runner = counts(line, ["passed", "failed"], `hardhat test ${line?.runner}'s result`);
        total.passed += runner.passed;
        total.failed += runner.failed;
      }
      return total;
    },
  },
} satisfies Record<string, TestResultsFormat>;
