import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dApp's build: `web/` is the root, the output goes to `web/dist`, which the web server serves. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // nothing from the environment reaches the bundle: the app reads its configuration from /api/config at run time
  envPrefix: "RECUR_WEB_PUBLIC_",
  build: { outDir: path.join(import.meta.dirname, "dist"), emptyOutDir: true, sourcemap: false },
});
