import type { TestEvent } from "node:test/reporters";

/**
 * A node:test reporter (`--test-reporter`) that writes one line of JSON: the counts of node:test's closing summary
 * for the whole run (the `test:summary` event naming no file; each file's own comes first), the same counts the spec
 * reporter prints as `ℹ pass`, `ℹ fail`, `ℹ cancelled`. A file that fails to load counts as a failed test; suites
 * are counted apart, so a suite that failed because one of its tests did is not a second failure. It writes
 * nothing when the run does not end (killed, or crashed), which `npm test` counts as a failure.
 */
export default async function* nodeTestSummaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type === "test:summary" && event.data.file === undefined) {
      yield `${JSON.stringify(event.data.counts)}\n`;
    }
  }
}
