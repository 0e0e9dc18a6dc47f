import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { sql } from "drizzle-orm";
import pg from "pg";
import { startProcess } from "../../stack/startProcess.js";
import { openDatabase } from "../db/openDatabase.js";
import { merchants } from "../db/schema.js";

const postgresServer = process.env.RECUR_TEST_DATABASE_URL;

if (!postgresServer) {
  describe("storage on the embedded database (PGlite)", { timeout: 900_000 }, () => {
    it("keeps data in its directory across restarts, applying migrations once", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "recur-pglite-"));
      try {
        const first = await openDatabase({ kind: "pglite", dataDir: dir });
        await first.db.insert(merchants).values({ id: "mer_kept", name: "Kept" });
        await first.close();
        const second = await openDatabase({ kind: "pglite", dataDir: dir });
        const rows = await second.db.select().from(merchants);
        assert.deepEqual(
          rows.map((row) => row.id),
          ["mer_kept"],
        );
        await second.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("refuses to start a second process on a data directory another process owns, naming it", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "recur-pglite-"));
      const owner = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "db") });
      try {
        const child = startProcess(process.execPath, ["--import", "tsx", "server/main.ts"], {
          env: {
            ...process.env,
            RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
            RECUR_DATA_DIR: dir,
            RECUR_PORT: "0",
          },
        });
        const { code } = await child.waitForExit(120_000);
        const output = child.output();
        assert.equal(code, 1, output);
        assert.match(output, new RegExp(`in use by another Recur process \\(pid ${process.pid}\\)`));
        assert.match(output, /use PostgreSQL \(DATABASE_URL\)/);
      } finally {
        await owner.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("takes over a directory whose owner is gone", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "recur-pglite-"));
      try {
        const { writeFileSync, mkdirSync } = await import("node:fs");
        mkdirSync(dir, { recursive: true });
        // a pid that cannot be running: beyond the kernel's pid range
        writeFileSync(path.join(dir, "recur.pid"), "4194305");
        const opened = await openDatabase({ kind: "pglite", dataDir: dir });
        await opened.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
} else {
  describe("storage on a PostgreSQL server", { timeout: 900_000 }, () => {
    it("lets several processes start at once, applying the migrations exactly once", async () => {
      const name = `recur_test_${randomBytes(8).toString("hex")}`;
      const admin = new pg.Client({ connectionString: postgresServer });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(postgresServer);
      url.pathname = `/${name}`;
      try {
        const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: "postgres", url: url.toString() })));
        const first = opened[0];
        assert.ok(first);
        const [row] = await first.db
          .select({ n: sql<number>`count(*)::int` })
          .from(sql.raw("drizzle.__drizzle_migrations"));
        const journal = JSON.parse(
          readFileSync(new URL("../db/migrations/meta/_journal.json", import.meta.url), "utf8"),
        ) as { entries: unknown[] };
        assert.equal(Number(row?.n), journal.entries.length, "each migration recorded once");
        await first.db.insert(merchants).values({ id: "mer_pg", name: "PG" });
        for (const database of opened) await database.close();
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    });
  });
}
