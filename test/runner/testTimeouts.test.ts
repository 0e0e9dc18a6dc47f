import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const projectRoot = path.resolve(import.meta.dirname, "../..");

/** Every node:test file: the server's, the web's, the command line's, the local stack's and the contracts'. */
const TEST_FILES = [
  "server/test/**/*.test.ts",
  "web/test/**/*.test.ts",
  "cli/test/**/*.test.ts",
  "stack/test/**/*.test.ts",
  "test/**/*.test.ts",
];

const SUITES = new Set(["describe", "suite"]);
const TESTS = new Set(["it", "test"]);
const HOOKS = new Set(["before", "after", "beforeEach", "afterEach"]);

/** Whether the call passes options with a `timeout`: an object literal naming one, or one of `hookTimeouts`. */
function hasTimeout(call: ts.CallExpression): boolean {
  return call.arguments.some(
    (argument) =>
      (ts.isObjectLiteralExpression(argument) &&
        argument.properties.some(
          (property) => property.name && ts.isIdentifier(property.name) && property.name.text === "timeout",
        )) ||
      (ts.isPropertyAccessExpression(argument) &&
        ts.isIdentifier(argument.expression) &&
        argument.expression.text === "hookTimeouts"),
  );
}

/**
 * Where a file's suites, hooks and tests lack a timeout: every suite needs one (its tests inherit it, each on its
 * own), every hook too (node:test does not bound a `before` by its suite's timeout), and a test outside any suite.
 */
function missingTimeouts(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  const visit = (node: ts.Node, inSuite: boolean) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      const needs = SUITES.has(name) || HOOKS.has(name) || (TESTS.has(name) && !inSuite);
      if (needs && !hasTimeout(node)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        missing.push(`${path.relative(projectRoot, file)}:${line + 1} ${name}(...)`);
      }
      if (SUITES.has(name)) {
        for (const argument of node.arguments) visit(argument, true);
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, inSuite));
  };
  visit(source, false);
  return missing;
}

describe("the test files themselves", { timeout: 120_000 }, () => {
  it("give every suite, every hook and every test outside a suite a timeout, so that no test can hang", () => {
    const files = TEST_FILES.flatMap((pattern) => globSync(pattern, { cwd: projectRoot })).map((file) =>
      path.join(projectRoot, file),
    );
    assert.ok(files.length > 20, `found the test files (${files.length})`);
    assert.deepEqual(files.flatMap(missingTimeouts), []);
  });
});
