/**
 * `npm start`: the whole platform on this machine, on the embedded defaults. Starts a local chain (`hardhat node`) on
 * 127.0.0.1, deploys the factory and the test tokens, opens a fresh embedded database, creates a demo merchant with
 * Active plans, gives test payers tokens, starts the API with its worker, and prints what to do next. Ctrl-C stops
 * everything it started.
 *
 *   npm start
 *   npm start -- --port 8787 --chain-port 8545 --data-dir .recur/local
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseUnits,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { standardTokenAbi } from "../generated/abis.js";
import { ConfigError, loadConfig } from "../server/config/loadConfig.js";
import { createMerchant } from "../server/domain/merchants.js";
import { createPlan, type PlanInput, setPlanStatus } from "../server/domain/plans.js";
import { type RunningServer, startServer } from "../server/startServer.js";
import { deployLocalContracts } from "./lib/deployLocalContracts.js";
import { writeMerchantProfile } from "./lib/merchantProfile.js";
import { type HardhatNode, startHardhatNode } from "./lib/startHardhatNode.js";

/** Hardhat's well-known test mnemonic: its accounts are funded on every local chain and worthless anywhere else. */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";
const testAccount = (index: number) => mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index });
const DEPLOYER = testAccount(0);
const PAYOUT = testAccount(1);
const GAS_WALLET = testAccount(2);
const PAYERS = [3, 4, 5].map(testAccount);
/** Where the worker reads the demo gas wallet's key from (this process's environment, never the database). */
const GAS_WALLET_KEY_VARIABLE = "RECUR_DEMO_GAS_WALLET_KEY";

const DEMO_PLANS: PlanInput[] = [
  {
    name: "Pro",
    description: "Monthly, paid in tUSDC (supports permit)",
    amount: "9.99 tUSDC",
    interval: "Month",
    frequency: 1,
    maxPeriods: 12,
  },
  { name: "Basic", description: "Weekly, paid in tUSDT (approve 0 first)", amount: "2.50 tUSDT", interval: "Week" },
  {
    name: "Every five minutes",
    description: "Watch the keeper charge in real time, in tUSD",
    amount: "0.10 tUSD",
    periodSeconds: 300,
    maxPeriods: 24,
  },
];

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) throw new InvalidArgumentError("must be a port from 1 to 65535");
  return n;
}

const program = new Command("npm start")
  .description("Run Recur locally: a local chain, the contracts, a demo merchant, and the API with its worker")
  .option("--port <port>", "where the API listens (127.0.0.1)", port, 8787)
  .option("--chain-port <port>", "where the local chain listens (127.0.0.1)", port, 8545)
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

/** Gives each test payer ETH for gas (Hardhat funds them already) and 1,000 of every test token. */
async function fundPayers(rpcUrl: string, tokens: { address: Address; code: string; decimals: number }[]) {
  const chain = defineChain({
    id: 31337,
    name: "localhost",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const minter = createWalletClient({ account: DEPLOYER, chain, transport: http(rpcUrl) });
  for (const token of tokens) {
    for (const payer of PAYERS) {
      const hash = await minter.writeContract({
        address: token.address,
        abi: standardTokenAbi,
        functionName: "mint",
        args: [payer.address, parseUnits("1000", token.decimals)],
      });
      await client.waitForTransactionReceipt({ hash });
    }
  }
}

async function main(): Promise<void> {
  const options = program.parse().opts<{ port: number; chainPort: number; dataDir: string }>();
  await ensureFree(options.chainPort, "local chain", "--chain-port");
  await ensureFree(options.port, "API", "--port");

  const started: { node?: HardhatNode; server?: RunningServer } = {};
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await started.server?.stop();
      await started.node?.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the API, the worker and the local chain...`);
    void stop().then(() => process.exit(0));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    step("Starting the local chain");
    started.node = await startHardhatNode({ port: options.chainPort });
    step("Deploying the factory and the test tokens");
    await deployLocalContracts(started.node.url);

    // the chain starts empty, so the database does too: its subscriptions would name contracts that no longer exist
    const dataDir = path.resolve(options.dataDir);
    await rm(dataDir, { recursive: true, force: true });
    process.env[GAS_WALLET_KEY_VARIABLE] = toHex(GAS_WALLET.getHdKey().privateKey ?? new Uint8Array());
    const config = loadConfig({
      ...process.env,
      // a key for this run only: the database it protects is thrown away at the next start
      RECUR_SECRET_KEY: randomBytes(32).toString("hex"),
      RECUR_DATA_DIR: dataDir,
      RECUR_HOST: "127.0.0.1",
      RECUR_PORT: String(options.port),
      RECUR_LOCAL_CHAIN: "on",
      RECUR_LOCAL_RPC_URL: started.node.url,
      DATABASE_URL: undefined,
      RECUR_LOG_LEVEL: process.env.RECUR_LOG_LEVEL ?? "warn",
    });
    const local = config.chains.chainById(31337);
    if (!local) throw new Error("the built-in local chain is missing from the chain registry");

    step("Giving the test payers tokens");
    await fundPayers(started.node.url, local.tokens);

    step("Starting the API and the worker on the embedded database");
    let merchant: { merchantId: string; apiKey: string; apiSecret: string } | undefined;
    const plans: { id: string; name: string; terms: string }[] = [];
    started.server = await startServer(config, async (services) => {
      merchant = await createMerchant(services.db, services.apiSecrets, {
        name: "Demo merchant",
        chains: [
          {
            chainId: 31337,
            payoutAddress: PAYOUT.address,
            gasWalletAddress: GAS_WALLET.address,
            gasWalletKey: `env:${GAS_WALLET_KEY_VARIABLE}`,
          },
        ],
      });
      for (const input of DEMO_PLANS) {
        const { merchantId } = merchant;
        const plan = await services.db.transaction(async (tx) => {
          const created = await createPlan(tx, services, merchantId, input);
          return setPlanStatus(tx, services, merchantId, created.id, "Active");
        });
        plans.push({ id: plan.id, name: plan.name, terms: input.amount });
      }
    });
    if (!merchant) throw new Error("the demo merchant was not created");
    const api = started.server.url ?? `http://127.0.0.1:${options.port}`;
    // the command line's profile for the demo merchant, thrown away with the rest of the data directory
    const profile = path.join(dataDir, "merchant.json");
    await writeMerchantProfile(profile, { apiUrl: api, ...merchant });

    const shown = (file: string) =>
      path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file);
    printReady({ api, chain: started.node.url, dataDir: shown(dataDir), profile: shown(profile), merchant, plans });
  } catch (error) {
    await stop();
    throw error;
  }
}

function step(what: string): void {
  console.log(`- ${what}...`);
}

function printReady(ready: {
  api: string;
  chain: string;
  dataDir: string;
  profile: string;
  merchant: { merchantId: string; apiKey: string; apiSecret: string };
  plans: { id: string; name: string; terms: string }[];
}): void {
  const { api, chain, dataDir, profile, merchant, plans } = ready;
  const payerKey = (index: number): Hex => toHex(PAYERS[index]?.getHdKey().privateKey ?? new Uint8Array());
  console.log(`
Recur is running (the line "READY" below marks it for scripts).

  API           ${api}    OpenAPI document: ${api}/openapi.json
  Local chain   ${chain}    chain id 31337, currency ETH
  Database      ${dataDir} (embedded PGlite; emptied at every start, like the local chain)

Demo merchant ${merchant.merchantId}
  API key       ${merchant.apiKey}
  API secret    ${merchant.apiSecret}
                (a secret is shown once, when it is created, and stored encrypted; this one lives until Ctrl-C)
  Active plans  ${plans.map((plan) => `${plan.name} (${plan.terms}, ${plan.id})`).join("\n                ")}

Test payers, each with 1,000 of every test token (Hardhat's public test accounts: never use them on a real network)
${PAYERS.map((payer, i) => `  ${payer.address}  private key ${payerKey(i)}`).join("\n")}

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
  4. To pay from a browser wallet, add the network (RPC ${chain}, chain id 31337, currency ETH) and import a test
     payer's private key from the list above.

Ctrl-C stops the API, the worker and the local chain.
READY`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
