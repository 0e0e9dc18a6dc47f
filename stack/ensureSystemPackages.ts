import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";

/** A Debian package the tests need, and how to tell it is already there. */
export interface SystemPackage {
  name: string;
  present: () => boolean;
}

export const POSTGRESQL: SystemPackage = {
  name: "postgresql",
  present: () =>
    spawnSync("sh", ["-c", "ls /usr/lib/postgresql/*/bin/initdb || command -v initdb"], { stdio: "ignore" }).status ===
    0,
};

/**
 * Installs the missing `packages` with apt when this process may (root, apt-get present), without letting the
 * packages start services of their own (the tests start private servers on 127.0.0.1). Otherwise throws with the
 * command to run.
 */
export function ensureSystemPackages(packages: SystemPackage[]): void {
  const missing = packages.filter((pkg) => !pkg.present());
  if (missing.length === 0) return;
  const names = missing.map((pkg) => pkg.name);
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (!canInstall) {
    throw new Error(`missing system packages: install them with \`sudo apt-get install -y ${names.join(" ")}\``);
  }
  console.log(`Installing ${names.join(", ")} with apt-get (once)...`);
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  // policy-rc.d exiting 101 tells Debian's maintainer scripts not to start the services they install
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", ...names], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

/** Debian's chromium, which the browser tests drive through playwright-core (Playwright's own download is not used). */
export const CHROMIUM: SystemPackage = {
  name: "chromium",
  present: () => existsSync("/usr/bin/chromium"),
};
