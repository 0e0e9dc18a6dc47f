import { stripVTControlCharacters } from "node:util";

/** Passed and failed tests, as a test runner reported them. */
export interface TestCounts {
  passed: number;
  failed: number;
}

/** Reads each test runner's own closing summary; undefined when the output holds none (the runner crashed). */
export const countTestResults = {
  /** Hardhat's closing lines: `118 passing (104 solidity, 14 nodejs)` and, when some fail, `2 failing (...)`. */
  hardhat(output: string): TestCounts | undefined {
    const plain = stripVTControlCharacters(output);
    const passed = /^(\d+) passing/m.exec(plain);
    const failed = /^(\d+) failing/m.exec(plain);
    if (!passed && !failed) return undefined;
    return { passed: Number(passed?.[1] ?? 0), failed: Number(failed?.[1] ?? 0) };
  },

  /**
   * node:test's spec reporter closes with `ℹ pass N`, `ℹ fail N` and `ℹ cancelled N`. A cancelled test is one that
   * timed out, or that its suite's timeout or a failed hook cut short: it failed.
   */
  nodeTest(output: string): TestCounts | undefined {
    const plain = stripVTControlCharacters(output);
    const passed = /^ℹ pass (\d+)/m.exec(plain);
    const failed = /^ℹ fail (\d+)/m.exec(plain);
    const cancelled = /^ℹ cancelled (\d+)/m.exec(plain);
    if (!passed || !failed) return undefined;
    return { passed: Number(passed[1]), failed: Number(failed[1]) + Number(cancelled?.[1] ?? 0) };
  },

  /** vitest closes with `Tests  19 passed (19)`, or `Tests  2 failed | 17 passed (19)`. */
  vitest(output: string): TestCounts | undefined {
    const line = /^\s*Tests\s+(.*)\((\d+)\)\s*$/m.exec(stripVTControlCharacters(output));
    if (!line?.[1]) return undefined;
    const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line[1] ?? "")?.[1] ?? 0);
    return { passed: count("passed"), failed: count("failed") };
  },
};
