import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Address, createPublicClient, createWalletClient, erc20Abi, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { localViemChain } from "../../server/chain/localChain.js";
import { RecurClient } from "../../server/client/RecurClient.js";
import type { Draft } from "../../server/schemas/subscriptions.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { BrowserSession } from "../../web/test/support/BrowserSession.js";
import { freePorts } from "../freePort.js";
import { DEMO_SUPPORT_URL } from "../localStack.js";
import { type OwnedProcess, startProcess } from "../startProcess.js";

/** What `npm start` printed once it was ready. */
interface Ready {
  apiKey: string;
  apiSecret: string;
  planIds: string[];
  payers: { address: Address; key: Hex }[];
}

function parseReady(output: string): Ready {
  const field = (label: string) => {
    const match = new RegExp(`^\\s+${label}\\s+(\\S+)$`, "m").exec(output);
    assert.ok(match?.[1], `npm start printed its ${label}`);
    return match[1];
  };
  const planIds = [...output.matchAll(/\((?:[^,()]+), (plan_\w+)\)/g)].map((match) => match[1] ?? "");
  const payers = [...output.matchAll(/^\s+(0x[0-9a-fA-F]{40})\s+private key (0x[0-9a-f]{64})$/gm)].map((match) => ({
    // the pattern matched an address and a key
    address: match[1] as Address,
    key: match[2] as Hex,
  }));
  return { apiKey: field("API key"), apiSecret: field("API secret"), planIds, payers };
}

/** True when something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The live descendants of `pid` (children, their children...), read from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z") parents.set(Number(name), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** True while process `pid` exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("npm start, headless", { timeout: 900_000 }, () => {
  let child: OwnedProcess;
  let ready: Ready;
  let apiPort: number;
  let chainPort: number;
  let webPort: number;
  let dataDir: string;
  /** Every process npm start had started once it was ready: all must be gone after Ctrl-C. */
  let started: number[] = [];
  const output = () => child.output();

  before(async () => {
    [apiPort, chainPort, webPort] = (await freePorts(3)) as [number, number, number];
    dataDir = await mkdtemp(path.join(tmpdir(), "recur-start-"));
    // its own process group, as a terminal runs it: Ctrl-C reaches the whole group
    child = startProcess(process.execPath, [
      "--import",
      "tsx",
      "stack/start.ts",
      "--port",
      String(apiPort),
      "--chain-port",
      String(chainPort),
      "--web-port",
      String(webPort),
      "--data-dir",
      dataDir,
    ]);
    await child.waitForOutput(/^READY$/m, 480_000);
    ready = parseReady(output());
    started = descendants(child.pid);
  }, hookTimeouts.starting);

  after(async () => {
    await child?.kill();
    for (const pid of started) if (alive(pid)) process.kill(pid, "SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  }, hookTimeouts.stopping);

  it("has every part answering: the site, the API and the local chain", async () => {
    const site = await fetch(`http://127.0.0.1:${webPort}/`);
    assert.equal(site.status, 200);
    assert.match(await site.text(), /<div id="root">/, "the built app");
    assert.equal((await fetch(`http://127.0.0.1:${webPort}/api/health`)).status, 200, "the signing proxy");
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/health`)).status, 200, "the API");
    const chainId = await createPublicClient({ transport: http(`http://127.0.0.1:${chainPort}`) }).getChainId();
    assert.equal(chainId, 31337, "the local chain");

    const client = new RecurClient(`http://127.0.0.1:${apiPort}`, { apiKey: ready.apiKey, apiSecret: ready.apiSecret });
    const { plans } = await client.listPlans({ statusIn: "Active" });
    assert.deepEqual(new Set(plans.map((plan) => plan.id)), new Set(ready.planIds), "the three plans it printed");
    // a failed charge (a revoked allowance, say) is retried for a while, not the end of the subscription
    assert.deepEqual(Object.fromEntries(plans.map((plan) => [plan.name, plan.gracePeriodSeconds])), {
      Pro: 7 * 86_400,
      Basic: 3 * 86_400,
      "Every five minutes": 900,
    });
    assert.equal(ready.payers.length, 3, "three test payers printed");
    // the pages are branded out of the box
    const config = (await (await fetch(`http://127.0.0.1:${webPort}/api/config`)).json()) as {
      branding: { displayName: string; logoUrl: string | null; supportUrl: string | null };
    };
    assert.deepEqual(config.branding, {
      displayName: "Demo merchant",
      logoUrl: `http://127.0.0.1:${webPort}/favicon.svg`,
      accentColor: null,
      supportUrl: DEMO_SUPPORT_URL,
    });
    assert.equal((await fetch(config.branding.logoUrl ?? "")).status, 200, "the logo is served");
  });

  it("lets a printed payer subscribe through the merchant's site, as the web app does", async () => {
    const [payer] = ready.payers;
    assert.ok(payer);
    const site = new BrowserSession(`http://127.0.0.1:${webPort}`);
    assert.equal((await site.signIn(payer.key)).status, 200, "Sign-In with Ethereum");
    const { body: plans } = await site.get<{ plans: { id: string; periodSeconds: number }[] }>("/api/plans");
    const plan = plans.plans.find((candidate) => candidate.periodSeconds === 300);
    assert.ok(plan, "the five-minute plan, listed by the site");
    const created = await site.post<Draft>("/api/me/subscriptions", { planId: plan.id });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const draft = created.body;
    assert.equal(draft.payer, payer.address, "a draft for the signed-in payer");

    const chain = localViemChain(`http://127.0.0.1:${chainPort}`);
    const wallet = createWalletClient({ account: privateKeyToAccount(payer.key), chain, transport: http() });
    const publicClient = createPublicClient({ chain, transport: http() });
    // the API answers addresses as strings
    const token = draft.approval.token as Address;
    const balanceOf = () =>
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [payer.address] });
    const before = await balanceOf();
    const hash = await wallet.writeContract({
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      // the API answers addresses as strings
      args: [draft.contractAddress as Address, BigInt(draft.approval.suggestedAllowance)],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const activation = await site.post(`/api/me/subscriptions/${draft.contractAddress}/activate`, {});
    assert.equal(activation.status, 200, JSON.stringify(activation.body));

    const deadline = Date.now() + 120_000;
    let status = "";
    while (Date.now() < deadline) {
      ({ status } = (await site.get<{ status: string }>(`/api/me/subscriptions/${draft.contractAddress}`)).body);
      if (status === "Active") break;
      await sleep(250);
    }
    assert.equal(status, "Active", `the worker activated it; npm start printed:\n${output()}`);
    assert.equal(before - (await balanceOf()), 10n ** 17n, "the first period (0.10 tUSD) was charged");
    assert.ok(
      site.transcript.every((text) => !text.includes(ready.apiSecret)),
      "the API secret never reaches the browser",
    );
  });

  it("leaves a profile that the command line signs with", async () => {
    const profile = /--profile (\S+) plans list/.exec(output())?.[1];
    assert.ok(profile, "npm start printed the command line's profile");
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "cli/recur.ts", "--json", "--profile", profile, "plans", "list"],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(
      new Set((JSON.parse(run.stdout) as { id: string }[]).map((plan) => plan.id)),
      new Set(ready.planIds),
    );
  });

  it("stops every process it started, and every port, on Ctrl-C", async () => {
    assert.ok(started.length > 0, "it had started processes of its own (the local chain)");
    process.kill(-child.pid, "SIGINT");
    const exit = await child.exited;
    assert.equal(exit.code, 0, `exits cleanly; it printed:\n${output()}`);
    assert.deepEqual(exit.leftBehind, [], "no process of its group is left");
    const deadline = Date.now() + 30_000;
    while (started.some(alive) && Date.now() < deadline) await sleep(100);
    assert.deepEqual(started.filter(alive), [], "no process it started is left, in its group or another");
    assert.equal(await listening(apiPort), false, "the API port is closed");
    assert.equal(await listening(chainPort), false, "the chain port is closed");
    assert.equal(await listening(webPort), false, "the site's port is closed");
    assert.match(output(), /SIGINT: stopping/);
  });
});
