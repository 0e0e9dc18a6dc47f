/**
 * `npm run test:busy`: the whole `npm test`, run twice (by default) while a CPU hog keeps every core busy, as CI and
 * a shared machine do. Green both times is the bar for a suite that must not flake under load. Prints each run's
 * summary line and how long it took; the hog (one busy loop per core, each in a process group of its own) is
 * stopped by pid whatever happens, Ctrl-C included.
 *
 *   npm run test:busy
 *   npm run test:busy -- --runs 1 --hogs 4
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { type OwnedProcess, startProcess } from "../../stack/startProcess.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const count = (what: string, max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${max} (${what})`);
  }
  return Number(value);
};

const program = new Command("npm run test:busy")
  .description("Run the whole test suite repeatedly while busy loops keep every core loaded")
  .option("--runs <n>", "how many times to run npm test", count("runs", 10), 2)
  .option("--hogs <n>", "how many busy loops to run (default: one per core)", count("busy loops", 64))
  .showHelpAfterError();

const options = program.parse().opts<{ runs: number; hogs?: number }>();
const hogCount = options.hogs ?? availableParallelism();

const hogs: OwnedProcess[] = [];
const stopHogs = async () => {
  await Promise.all(hogs.splice(0).map((hog) => hog.kill()));
};
let current: OwnedProcess | undefined;
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.log(`\n${signal}: stopping the test run and the busy loops...`);
    void current?.stop({ signal: "SIGINT", graceMs: 60_000 });
  });
}

const results: { summary: string; minutes: string; ok: boolean }[] = [];
try {
  for (let i = 0; i < hogCount; i++) {
    hogs.push(startProcess(process.execPath, ["-e", "for (;;) {}"], { output: "none" }));
  }
  console.log(`${hogCount} busy loops started (pids ${hogs.map((hog) => hog.pid).join(", ")})`);
  for (let run = 1; run <= options.runs && !interrupted; run++) {
    console.log(`\n##### npm test, run ${run} of ${options.runs}, with every core busy\n`);
    const started = Date.now();
    current = startProcess(process.execPath, ["--import", "tsx", path.join(projectRoot, "test/runner/runTests.ts")], {
      cwd: projectRoot,
      onOutput: (chunk, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(chunk),
    });
    const exit = await current.exited;
    const summary = [...current.output().matchAll(/^(\d+ passed, \d+ failed)$/gm)].at(-1)?.[1];
    results.push({
      summary: summary ?? `no summary line (exit ${exit.code ?? exit.signal})`,
      minutes: ((Date.now() - started) / 60_000).toFixed(1),
      ok: exit.code === 0,
    });
  }
} finally {
  await stopHogs();
}

console.log(`\n##### npm test under load (${hogCount} busy loops), ${results.length} of ${options.runs} runs`);
results.forEach((result, i) => {
  console.log(`run ${i + 1}: ${result.summary} in ${result.minutes} min${result.ok ? "" : " (FAILED)"}`);
});
process.exit(results.length === options.runs && results.every((result) => result.ok) ? 0 : 1);
