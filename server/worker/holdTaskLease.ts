import { eq, lt, or } from "drizzle-orm";
import type { Database } from "../db/openDatabase.js";
import { taskLeases } from "../db/schema.js";

/**
 * Takes or renews the lease on a job only one worker may do at a time (`indexer:<chain>`): true while `owner` holds
 * it. A lease its holder stopped renewing (a worker that died) passes to the next asker once it runs out.
 */
export async function holdTaskLease(
  db: Database,
  name: string,
  owner: string,
  now: Date,
  seconds: number,
): Promise<boolean> {
  const leaseUntil = new Date(now.getTime() + seconds * 1000);
  const rows = await db
    .insert(taskLeases)
    .values({ name, owner, leaseUntil })
    .onConflictDoUpdate({
      target: taskLeases.name,
      set: { owner, leaseUntil },
      setWhere: or(eq(taskLeases.owner, owner), lt(taskLeases.leaseUntil, now)),
    })
    .returning({ owner: taskLeases.owner });
  return rows[0]?.owner === owner;
}
