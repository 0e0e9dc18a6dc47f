import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Config } from "../../server/config/loadConfig.js";
import { processCpuMicros } from "./processCpuMicros.js";

/** An empty database for a benchmark run, named to its servers the way production names one. */
export interface BenchDatabase {
  /** `DATABASE_URL` or `RECUR_DATA_DIR`. */
  env: Record<string, string>;
  /**
   * The CPU time so far of the PostgreSQL backends serving this database, by pid, microseconds (PostgreSQL on this
   * machine); absent for PGlite, which runs inside the server process.
   */
  backendCpu?: () => Promise<Map<number, number>>;
  /** Drops the database or deletes the data directory. */
  remove(): Promise<void>;
}

/**
 * A PGlite data directory in a fresh temporary folder, or a new database on the PostgreSQL server that
 * `postgresUrl` (a user who may create databases) reaches.
 */
export async function createBenchDatabase(
  kind: Config["database"]["kind"],
  postgresUrl: string,
): Promise<BenchDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(tmpdir(), "recur-bench-"));
    return { env: { RECUR_DATA_DIR: dir }, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `recur_bench_${randomBytes(8).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await admin(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  // its own connection, so that reading the backends never waits for a server's pool
  const observer = new pg.Client({ connectionString: url.toString() });
  const remove = async () => {
    await observer.end().catch(() => {});
    await admin(`drop database if exists ${name} with (force)`);
  };
  try {
    await observer.connect();
  } catch (error) {
    await remove();
    throw error;
  }
  const backendCpu = async () => {
    const { rows } = await observer.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return new Map(rows.map(({ pid }) => [pid, processCpuMicros(pid) ?? 0]));
  };
  return { env: { DATABASE_URL: url.toString() }, backendCpu, remove };
}
