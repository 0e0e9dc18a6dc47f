import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** How a process ended. */
export interface ProcessExit {
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Processes of its group that outlived it (and were then killed), as `pid command`. */
  leftBehind: string[];
}

/** A child process this process owns: started in a process group of its own, stopped with everything it started. */
export interface OwnedProcess {
  readonly child: ChildProcess;
  /** Its pid, which is also its process group's id. */
  readonly pid: number;
  /** What it wrote so far (stdout and stderr interleaved, or stderr alone; see {@link StartProcessOptions.output}). */
  output(): string;
  /** Whether it is still running. */
  running(): boolean;
  /** Resolves once it has exited and its output is read. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Resolves with the first match of `pattern` in its output; rejects, with what it printed, when it exits first or
   * `timeoutMs` passes (the process is left running: its owner stops it).
   */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Resolves when it exits; after `timeoutMs` it is stopped and the promise rejects with what it printed. */
  waitForExit(timeoutMs: number): Promise<ProcessExit>;
  /**
   * Stops its whole process group: `signal` (SIGTERM by default), then SIGKILL after `graceMs`. Always ends, and
   * leaves no process of the group behind, not even one the child orphaned.
   */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ProcessExit>;
  /** Kills its whole process group at once, as a crash would. */
  kill(): Promise<ProcessExit>;
}

export interface StartProcessOptions {
  cwd?: string;
  /** Its environment; this process's own when omitted. */
  env?: NodeJS.ProcessEnv;
  /** Which output {@link OwnedProcess.output} keeps: everything (default), stderr only, or none (not even piped). */
  output?: "all" | "stderr" | "none";
  /** Called with each chunk of output it keeps, as it arrives. */
  onOutput?: (chunk: Buffer, stream: "stdout" | "stderr") => void;
  /** What it reads on standard input, which is then closed; without it, standard input is not connected. */
  input?: string;
}

/**
 * The variable naming a directory where every owned process is recorded (a file named by its pid) while it runs,
 * so that a supervisor (`npm test`) can find and kill what a process left behind when it died without cleaning up.
 */
export const PROCESS_REGISTRY_VARIABLE = "RECUR_TEST_PROCESS_DIR";

const owned = new Set<OwnedProcess>();
let handlersInstalled = false;

/** Sends `signal` to the process group `pgid` (0 only asks); false when no process of it is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * The live processes of group `pgid` (zombies left out), as `pid command`, read from /proc; undefined on a system
 * without it.
 */
export function groupMembers(pgid: number): string[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const members: string[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // fields after the parenthesised command: state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      members.push(`${pid} ${command.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/**
 * Kills every owned process group when this process ends: at exit (a normal end, `process.exit`, a test runner's
 * forced exit), and on a terminating signal that nothing else in this process handles, which is then raised again
 * so the process still ends as the signal meant. A program that handles the signal itself (`npm start` on Ctrl-C)
 * stops its children its own way, with the exit hook as the backstop.
 */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const owner of owned) signalGroup(owner.pid, "SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      for (const owner of owned) signalGroup(owner.pid, "SIGKILL");
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    // first in line, so that a program's own handler is still counted when it is a `once` listener
    process.prependListener(signal, onSignal);
  }
}

/**
 * Starts `command` as a process this process owns. It runs in a process group of its own (`detached`), so stopping
 * it stops everything it started; it is registered the moment it is spawned, so it is killed when this process
 * exits or is terminated, whatever the code that started it does next; when it exits, whatever it left in its
 * group is killed too; and with {@link PROCESS_REGISTRY_VARIABLE} set, it is recorded for the supervisor until it
 * exits. Tests still stop what they start, in `finally` or an `after` hook: the rest is the backstop.
 */
export function startProcess(command: string, args: string[], options: StartProcessOptions = {}): OwnedProcess {
  installHandlers();
  const keep = options.output ?? "all";
  // this process records the child in its registry; the child records what it starts in the same one, unless the
  // caller gave it a registry of its own (a supervisor, `npm test`, starting a runner)
  const registry = process.env[PROCESS_REGISTRY_VARIABLE];
  const env = { ...(options.env ?? process.env) };
  if (registry && env[PROCESS_REGISTRY_VARIABLE] === undefined) env[PROCESS_REGISTRY_VARIABLE] = registry;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env,
    stdio: [
      options.input === undefined ? "ignore" : "pipe",
      keep === "all" ? "pipe" : "ignore",
      keep === "none" ? "ignore" : "pipe",
    ],
    detached: true,
  });
  if (child.pid === undefined) {
    // spawning failed (no such command); the error event that follows says no more than this
    child.once("error", () => {});
    throw new Error(`cannot start ${command}: no such command, or it is not executable`);
  }
  const pid = child.pid;
  if (options.input !== undefined) child.stdin?.end(options.input);
  const describe = () => `${path.basename(command)} ${args.join(" ")}`.slice(0, 200);
  let output = "";
  const listeners = new Set<() => void>();
  const record = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(chunk, stream);
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", record("stdout"));
  child.stderr?.on("data", record("stderr"));
  // a signal to a process that has just exited raises an error event; the exit event reports the end
  child.on("error", () => {});

  const registryFile = registry ? path.join(registry, String(pid)) : undefined;
  if (registry && registryFile) {
    mkdirSync(registry, { recursive: true });
    writeFileSync(registryFile, JSON.stringify({ pid, command: describe(), owner: process.pid }));
  }

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      // the rest of its output arrives before its pipes close; a pipe that some other process still holds is cut
      const closed = new Promise<void>((done) => {
        if (!child.stdout && !child.stderr) return done();
        child.once("close", () => done());
      });
      void (async () => {
        // a member of its group still running once the child is gone (and given a moment to exit) was left behind
        const members = () => groupMembers(pid) ?? (signalGroup(pid, 0) ? [`processes of group ${pid}`] : []);
        for (let wait = 0; members().length > 0 && wait < 20; wait++) await sleep(100);
        const leftBehind = members();
        signalGroup(pid, "SIGKILL");
        for (let wait = 0; leftBehind.length > 0 && members().length > 0 && wait < 50; wait++) await sleep(100);
        owned.delete(owner);
        if (registryFile) rmSync(registryFile, { force: true });
        const drained = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, 2_000);
        await closed;
        clearTimeout(drained);
        exit = { code, signal, leftBehind };
        for (const listener of listeners) listener();
        resolve(exit);
      })();
    });
  });

  const printed = () => (output ? `; it printed:\n${output.slice(-4_000)}` : "");
  const owner: OwnedProcess = {
    child,
    pid,
    exited,
    output: () => output,
    running: () => exit === undefined,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) return finish(() => resolve(match));
          if (exit) {
            const how = exit.code ?? exit.signal;
            finish(() => reject(new Error(`${describe()} exited (${how}) before printing ${pattern}${printed()}`)));
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`${describe()} did not print ${pattern} within ${timeoutMs} ms${printed()}`)),
            ),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    async waitForExit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (result !== "timeout") return result;
      await owner.stop({ graceMs: 2_000 });
      throw new Error(`${describe()} did not exit within ${timeoutMs} ms and was stopped${printed()}`);
    },
    async stop({ signal = "SIGTERM", graceMs = 5_000 } = {}) {
      signalGroup(pid, signal);
      const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      signalGroup(pid, "SIGKILL");
      return exited;
    },
  };
  owned.add(owner);
  return owner;
}
