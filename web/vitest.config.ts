import { defineConfig } from "vitest/config";

/** The dApp's unit and component tests (`web/src/**\/*.test.ts(x)`); `web/test/` holds the HTTP and browser tests. */
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "jsdom",
  },
});
