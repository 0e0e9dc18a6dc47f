import { defineConfig } from "vitest/config";

/** The dApp's unit and component tests (`web/src/**\/*.test.ts(x)`); `web/test/` holds the HTTP and browser tests. */
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    // bounds, not expectations: vitest's 5 s is tight for a component test on a machine with every core busy
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
