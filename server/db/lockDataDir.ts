import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";

/** Another live process owns the data directory. */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes this process the only owner of a PGlite data directory (PGlite has no lock of its own: two processes on
 * one directory silently lose writes). The owner's pid is written to `recur.pid` with an exclusive create; a file
 * left by a process that no longer runs is taken over at once. (Time-based locks such as proper-lockfile's would
 * refuse a restart for seconds after a crash and cannot say who holds the lock.) Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, "recur.pid");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(pidFile, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        const owner = await readFile(pidFile, "utf8").catch(() => "");
        if (owner === String(process.pid)) await rm(pidFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(await readFile(pidFile, "utf8").catch(() => ""));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new DataDirInUseError(
        `The data directory ${dataDir} is in use by another Recur process (pid ${owner}). Stop it, or use another ` +
          "RECUR_DATA_DIR; to run several processes, use PostgreSQL (DATABASE_URL).",
      );
    }
    // left behind by a process that is gone
    await rm(pidFile, { force: true });
  }
  throw new DataDirInUseError(`Could not take the data directory ${dataDir}: another process keeps claiming it`);
}
