/**
 * The widget's builds, with Vite (rolldown): the script tag's one self-contained file (an IIFE, so nothing leaks
 * into the embedding page's globals but `RecurWidget`), and the npm package's ES modules (React left to the app).
 *
 *   npx tsx widget/bundle.ts   # widget/dist: recur-widget.js, index.js, react.js and their .d.ts
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { build, type Rolldown } from "vite";

const ROOT = import.meta.dirname;
const DIST = path.join(ROOT, "dist");

/** The script tag's file, `recur-widget.js`, minified. */
export async function bundleScriptTag(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: "warn",
    build: {
      write: false,
      minify: true,
      lib: { entry: path.join(ROOT, "src/scriptTag.ts"), formats: ["iife"], name: "RecurWidgetLoader" },
    },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const chunk = [output].flat()[0]?.output.find((item) => item.type === "chunk");
  if (chunk?.type !== "chunk") throw new Error("the widget's script tag build produced no script");
  return chunk.code;
}

/** The npm package in widget/dist: the script tag's file, the ES modules and their type declarations. */
export async function buildPackage(): Promise<void> {
  await build({
    configFile: false,
    logLevel: "warn",
    build: {
      outDir: DIST,
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: { index: path.join(ROOT, "src/index.ts"), react: path.join(ROOT, "src/react.tsx") },
        formats: ["es"],
      },
      rollupOptions: { external: ["react", "react/jsx-runtime"] },
    },
  });
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path.join(DIST, "recur-widget.js"), await bundleScriptTag());
  const tsc = path.resolve(ROOT, "../node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await buildPackage();
}
