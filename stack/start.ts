/**
 * `npm start`: the whole platform on this machine, on the embedded defaults. Starts a local chain (`hardhat node`) on
 * 127.0.0.1, deploys the factory and the test tokens, opens a fresh embedded database, creates a demo merchant with
 * Active plans, gives test payers tokens, starts the API with its worker and the merchant's site (the signing proxy
 * serving the web app), and prints what to do next. Ctrl-C stops everything it started.
 *
 *   npm start
 *   npm start -- --port 8787 --chain-port 8545 --data-dir .recur/local
 */
import { createServer } from "node:net";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { buildContracts } from "./buildContracts.js";
import type { LocalStack } from "./localStack.js";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) throw new InvalidArgumentError("must be a port from 1 to 65535");
  return n;
}

const program = new Command("npm start")
  .description(
    "Run Recur locally: a local chain, the contracts, a demo merchant, the API with its worker, and the site",
  )
  .option("--port <port>", "where the API listens (127.0.0.1)", port, 8787)
  .option("--chain-port <port>", "where the local chain listens (127.0.0.1)", port, 8545)
  .option("--web-port <port>", "where the merchant's site (signing proxy and web app) listens (127.0.0.1)", port, 5173)
  .option(
    "--data-dir <dir>",
    "the embedded database's directory; emptied at start, since the local chain starts empty too",
    ".recur/local",
  )
  .showHelpAfterError();

/** Refuses early, with the fix, when something already listens where we want to. */
async function ensureFree(portNumber: number, what: string, flag: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(
        new Error(
          `port ${portNumber} on 127.0.0.1 is taken, so the ${what} cannot listen there: stop what uses it or pass ${flag} <port>`,
        ),
      ),
    );
    probe.listen(portNumber, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ port: number; chainPort: number; webPort: number; dataDir: string }>();
  await ensureFree(options.chainPort, "local chain", "--chain-port");
  await ensureFree(options.port, "API", "--port");
  await ensureFree(options.webPort, "merchant's site", "--web-port");

  let stack: LocalStack | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the site, the API, the worker and the local chain...`);
    void (stack?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  await buildContracts(step);
  // the stack imports the ABIs the build has just written
  const { startLocalStack } = await import("./localStack.js");
  stack = await startLocalStack({ ...options, env: process.env, progress: step });
  printReady(stack);
}

function step(what: string): void {
  console.log(`- ${what}...`);
}

function printReady(stack: LocalStack): void {
  const { api, merchant, plans, payers } = stack;
  const chain = stack.node.url;
  const site = stack.web;
  if (!site) throw new Error("npm start always starts the merchant's site");
  const shown = (file: string) =>
    path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file);
  const dataDir = shown(stack.dataDir);
  const profile = shown(stack.profile);
  console.log(`
Recur is running (the line "READY" below marks it for scripts).

  Site          ${site.url}    the merchant's site: checkout, portal (${site.url}/portal), admin (${site.url}/admin)
  API           ${api}    OpenAPI document: ${api}/openapi.json
  Local chain   ${chain}    chain id 31337, currency ETH
  Database      ${dataDir} (embedded PGlite; emptied at every start, like the local chain)

Demo merchant ${merchant.merchantId}
  API key       ${merchant.apiKey}
  API secret    ${merchant.apiSecret}
                (a secret is shown once, when it is created, and stored encrypted; this one lives until Ctrl-C)
  Active plans  ${plans.map((plan) => `${plan.name} (${plan.amount}, ${plan.id})`).join("\n                ")}

Test payers, each with 1,000 of every test token (Hardhat's public test accounts: never use them on a real network)
${payers.map((payer) => `  ${payer.address}  private key ${payer.key}`).join("\n")}

What to do next
  1. Ask the API which chains and tokens it bills on:
       curl ${api}/chains
  2. Make a signed request as the merchant (the signature is HMAC-SHA256 of ts + METHOD + path + body):
       KEY=${merchant.apiKey} SECRET=${merchant.apiSecret}
       ts=$(date +%s); sig=$(printf '%s' "\${ts}GET/integration/subscription-plans" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
       curl -H "x-api-key: $KEY" -H "x-api-ts: $ts" -H "x-api-sig: $sig" ${api}/integration/subscription-plans
  3. Or use the command line, which signs for you with the demo merchant's profile:
       npm run recur -- --profile ${profile} plans list
       npm run recur -- --profile ${profile} subscriptions list
  4. Subscribe from a browser: add the network to your wallet (RPC ${chain}, chain id 31337, currency ETH),
     import a test payer's private key from the list above, and open ${site.url}
  5. The merchant's admin page (${site.url}/admin) signs in with the merchant's wallet
     ${site.adminWallet.address}, private key ${site.adminWallet.key}

Ctrl-C stops the site, the API, the worker and the local chain.
READY`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
