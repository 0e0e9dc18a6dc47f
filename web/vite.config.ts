import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { bundleScriptTag } from "../widget/bundle";

/** The embeddable widget's script tag, served by the site beside the app at a stable name: `/recur-widget.js`. */
function widgetScriptTag(): Plugin {
  return {
    name: "recur-widget-script-tag",
    apply: "build",
    async generateBundle() {
      this.emitFile({ type: "asset", fileName: "recur-widget.js", source: await bundleScriptTag() });
    },
  };
}

/** The dApp's build: `web/` is the root, the output goes to `web/dist`, which the web server serves. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), widgetScriptTag()],
  // nothing from the environment reaches the bundle: the app reads its configuration from /api/config at run time
  envPrefix: "RECUR_WEB_PUBLIC_",
  build: { outDir: path.join(import.meta.dirname, "dist"), emptyOutDir: true, sourcemap: false },
});
