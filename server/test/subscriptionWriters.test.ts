import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const projectRoot = path.resolve(import.meta.dirname, "../..");

/** The code that runs in production: the server, the command line and the local stack, without their tests. */
const SOURCES = ["server/**/*.ts", "cli/**/*.ts", "stack/**/*.ts"];
const isTest = (file: string) => file.split(path.sep).includes("test") || file.endsWith(".test.ts");

/** One drizzle write in the source: `db.update(table).set({...})`, `db.insert(table)` or a raw `sql\`update ...\``. */
interface Write {
  where: string;
  table: string;
  kind: "update" | "insert";
  /** The columns an update sets, or undefined when they are not written out (a variable, a spread). */
  columns?: string[];
}

/** Every write to a table in `file`, found in its syntax tree. */
function writesIn(file: string): Write[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const where = (node: ts.Node) =>
    `${path.relative(projectRoot, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const writes: Write[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const [table] = node.arguments;
      if ((method === "update" || method === "insert") && table && ts.isIdentifier(table)) {
        const write: Write = { where: where(node), table: table.text, kind: method };
        const next = node.parent;
        if (method === "update" && ts.isPropertyAccessExpression(next) && next.name.text === "set") {
          const [values] = ts.isCallExpression(next.parent) ? next.parent.arguments : [];
          if (values && ts.isObjectLiteralExpression(values) && values.properties.every((p) => p.name)) {
            write.columns = values.properties.map((property) => property.name?.getText(source) ?? "");
          }
        }
        writes.push(write);
      }
    }
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(source) === "sql") {
      const text = node.template.getText(source);
      const raw = /^`\s*update\s+\$\{(\w+)\}/i.exec(text);
      if (raw?.[1]) {
        const set = /\bset\b([\s\S]*?)\bfrom\b|\bset\b([\s\S]*?)\bwhere\b/i.exec(text);
        const columns = (set?.[1] ?? set?.[2] ?? "").match(/(\w+)\s*=/g)?.map((column) => column.replace(/\s*=$/, ""));
        writes.push({ where: where(node), table: raw[1], kind: "update", ...(columns ? { columns } : {}) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return writes;
}

const WRITES = globSync(SOURCES, { cwd: projectRoot })
  .filter((file) => !isTest(file))
  .sort()
  .flatMap((file) => writesIn(path.join(projectRoot, file)));

const fileOf = (write: Write) => write.where.replace(/:\d+$/, "");

describe("the writers of subscriptions, their events and their charges", { timeout: 60_000 }, () => {
  it("finds the writes it looks for", () => {
    // the scan itself works: the writers below are found where they are
    assert.ok(WRITES.some((write) => fileOf(write) === "server/domain/updateSubscription.ts"));
    assert.ok(WRITES.some((write) => write.table === "subscriptions" && write.columns?.includes("leaseUntil")));
    assert.ok(WRITES.some((write) => write.table === "subscriptions" && write.columns?.includes("periods_charged")));
  });

  it("write a subscription's status only through updateSubscription (and a new draft through createDraft)", () => {
    const statusWriters = WRITES.filter(
      (write) =>
        write.table === "subscriptions" &&
        (write.kind === "insert" || write.columns === undefined || write.columns.includes("status")),
    ).map((write) => `${write.kind} ${fileOf(write)}`);
    assert.deepEqual(statusWriters, [
      "insert server/domain/subscriptions.ts",
      "update server/domain/updateSubscription.ts",
    ]);
  });

  it("write webhook events only through recordEvent, and charges only through domain/charges.ts", () => {
    const outbox = WRITES.filter((write) => write.table === "outboxEvents" && write.kind === "insert");
    assert.deepEqual(outbox.map(fileOf), ["server/domain/recordEvent.ts"]);
    const charges = WRITES.filter((write) => write.table === "charges");
    assert.ok(charges.length > 0);
    assert.deepEqual([...new Set(charges.map(fileOf))], ["server/domain/charges.ts"]);
  });
});
