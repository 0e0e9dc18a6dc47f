import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import type { Config } from "../config/loadConfig.js";
import { lockDataDir } from "./lockDataDir.js";
import * as schema from "./schema.js";

/** The query layer, the same for both engines. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction or the database itself: whatever a domain function runs its queries on. */
export type Queryable = Parameters<Parameters<Database["transaction"]>[0]>[0] | Database;

export interface OpenDatabase {
  db: Database;
  engine: "pglite" | "postgres";
  close(): Promise<void>;
}

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** A key for `pg_advisory_lock`, so that processes starting together apply migrations one at a time. */
const MIGRATION_LOCK = 0x72656375;

/**
 * Opens the database the configuration names and brings its schema up to date with the committed migrations:
 * PGlite in a data directory this process then owns (a second process is refused), or a PostgreSQL server.
 * `dataDir: "memory://"` gives a throwaway in-memory PGlite.
 */
export async function openDatabase(database: Config["database"]): Promise<OpenDatabase> {
  if (database.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: database.url, max: 16 });
    pool.on("error", () => {
      // an idle client lost its connection; the pool replaces it, and queries report their own errors
    });
    const client = await pool.connect();
    try {
      await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
    return { db: drizzlePostgres(pool, { schema }), engine: "postgres", close: () => pool.end() };
  }

  const inMemory = database.dataDir.startsWith("memory://");
  const unlock = inMemory ? async () => {} : await lockDataDir(database.dataDir);
  try {
    const client = new PGlite(database.dataDir);
    await client.waitReady;
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder });
    return {
      db,
      engine: "pglite",
      close: async () => {
        await client.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
