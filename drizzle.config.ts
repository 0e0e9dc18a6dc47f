import { defineConfig } from "drizzle-kit";

/** `npx drizzle-kit generate` writes a migration for each schema change into server/db/migrations (committed). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./server/db/schema.ts",
  out: "./server/db/migrations",
});
