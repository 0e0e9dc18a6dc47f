import { type Config, ConfigError, type Environment, loadConfig } from "../server/config/loadConfig.js";
import { DataDirInUseError } from "../server/db/lockDataDir.js";
import { openDatabase } from "../server/db/openDatabase.js";
import { createServices, type Services } from "../server/domain/Services.js";
import { UsageError } from "./context.js";

/**
 * The platform's configuration, from the same environment as the server (`RECUR_SECRET_KEY`, `DATABASE_URL` or
 * `RECUR_DATA_DIR`, chains), for operator commands; a missing or malformed value is a usage error.
 */
export function operatorConfig(env: Environment): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs an operator `task` with direct access to the platform's database, then closes it. With the embedded
 * database the server must be stopped first: PGlite's data directory has one owner. Check the input before calling
 * this, so a mistake never waits on (or touches) the database.
 */
export async function withDatabase<T>(config: Config, task: (services: Services) => Promise<T>): Promise<T> {
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new UsageError(error.message);
    throw error;
  }
  try {
    return await task(createServices(database.db, config));
  } finally {
    await database.close();
  }
}
