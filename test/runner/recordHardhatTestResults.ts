import { appendFileSync } from "node:fs";
import { overrideTask } from "hardhat/config";
import type { TaskOverrideDefinition } from "hardhat/types/tasks";
import type { TestRunResult } from "hardhat/types/test";
import { isResult } from "hardhat/utils/result";

/** The variable naming the file `hardhat test` appends its results to (set by `npm test`, see test/runner/testResults.ts). */
export const HARDHAT_TEST_RESULTS_VARIABLE = "RECUR_HARDHAT_TEST_RESULTS";

/** The test runners `hardhat test` runs here, each a subtask of `test`: Solidity tests, then node:test files. */
const HARDHAT_TEST_RUNNERS = ["solidity", "nodejs"] as const;

/** One line of the results file: what one of hardhat's test runners returned, or why it could not be read. */
export type HardhatTestResultsLine = { runner: string } & ({ passed: number; failed: number } | { unreadable: string });

function isTestRunResult(value: unknown): value is TestRunResult {
  if (typeof value !== "object" || value === null || !("summary" in value)) return false;
  const { summary } = value as { summary: Partial<Record<keyof TestRunResult["summary"], unknown>> | null };
  return typeof summary?.passed === "number" && typeof summary.failed === "number";
}

/**
 * Hardhat's task overrides (for the config's `tasks`) that append, for each test runner `hardhat test` runs, one
 * line of JSON to `file`: the counts the runner's task returned (`TestRunResult.summary`), the very counts Hardhat
 * prints as `N passing (x solidity, y nodejs)`. Hardhat has no machine-readable output of its own: no reporter
 * option, no JSON or JUnit, and `test nodejs` runs node:test in its own process through its own reporter, so
 * node:test's `--test-reporter` does not reach it; its task results are the only counts it gives as data. Without a
 * file (any run but `npm test`'s), there are no overrides: Hardhat runs untouched. A runner that throws (a
 * compilation error) appends nothing, and a run without any line counts as a failure; so does a line saying a runner's
 * result could not be read (a Hardhat upgrade that changed its shape).
 */
export function recordHardhatTestResults(file: string | undefined): TaskOverrideDefinition[] {
  if (!file) return [];
  return HARDHAT_TEST_RUNNERS.map((runner) =>
    overrideTask(["test", runner])
      .setInlineAction(async (args, _hre, runSuper) => {
        // `testSummaryIndex` is Hardhat's hidden option telling a runner run by `hardhat test` (1 and up) from one
        // run on its own (0). Run by `hardhat test`, `test nodejs` returns (and prints) node:test's `fail` count,
        // which leaves out cancelled tests: a test that timed out, alone, passes `hardhat test` (exit code 0,
        // `1 passing`). Run as if on its own, it counts every failed test event, cancelled ones and a failed hook
        // included, and prints its own summary. `test solidity` on its own prints its counts and returns zeros.
        const onItsOwn = args.testSummaryIndex === 0;
        const result: unknown = await runSuper(runner === "nodejs" ? { ...args, testSummaryIndex: 0 } : args);
        let line: HardhatTestResultsLine = { runner, unreadable: "its task returned no test summary" };
        if (runner === "solidity" && onItsOwn) {
          line = { runner, unreadable: "run on its own, it returns no counts: run it through `hardhat test`" };
        } else if (isResult(result, isTestRunResult, isTestRunResult)) {
          const { summary } = result.success ? result.value : result.error;
          line = { runner, passed: summary.passed, failed: summary.failed };
        }
        appendFileSync(file, `${JSON.stringify(line)}\n`);
        return result;
      })
      .build(),
  );
}
