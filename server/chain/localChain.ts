import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, type Chain, concat, defineChain, encodeAbiParameters, type Hex } from "viem";
import type { ChainConfig, TokenConfig } from "./ChainRegistry.js";
import { deterministicAddress } from "./deterministicDeployment.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The deployed bytecode's creation code for `contract`, from the Hardhat artifacts `npm run build` writes. */
function creationCode(source: string, contract: string): Hex {
  const file = path.join(projectRoot, "artifacts", source, `${contract}.json`);
  try {
    const artifact = JSON.parse(readFileSync(file, "utf8")) as { bytecode: Hex };
    return artifact.bytecode;
  } catch (error) {
    throw new Error(`cannot read the ${contract} artifact at ${file}: run \`npm run build\` first`, { cause: error });
  }
}

/** Hardhat's first default account, which deploys the test tokens on a local chain. */
const LOCAL_DEPLOYER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/**
 * A test token deployed by the `TestTokens` Ignition module, at its deterministic address (the initCode includes
 * the constructor arguments, if any). It takes permits when `permitKind` says which.
 */
function testToken(
  contract: string,
  fields: Omit<TokenConfig, "address" | "permit">,
  constructorArgs: Hex = "0x",
): TokenConfig {
  const initCode = concat([creationCode(`contracts/test-tokens/${contract}.sol`, contract), constructorArgs]);
  return { ...fields, permit: fields.permitKind !== null, address: deterministicAddress(initCode) };
}

/**
 * The local development chain (a `hardhat node`, chain id 31337) with the factory and the test tokens at the
 * addresses the Ignition modules deploy them to with the `create2` strategy: always available, no configuration.
 */
export function localChain(rpcUrl: string): ChainConfig {
  return {
    chainId: 31337,
    name: "localhost",
    rpcUrl,
    confirmations: 0,
    // a hardhat node mines each transaction as it arrives: its receipt is there at once
    pollingIntervalMs: 20,
    factory: deterministicAddress(creationCode("contracts/SubscriptionFactory.sol", "SubscriptionFactory")),
    // deployed by the `TestAccounts` Ignition module
    smartAccountFactory: deterministicAddress(
      creationCode("contracts/test-accounts/SmartAccountFactory.sol", "SmartAccountFactory"),
    ),
    tokens: [
      testToken("StandardToken", {
        code: "tUSD",
        decimals: 18,
        permitKind: null,
        approveZeroFirst: false,
        feeOnTransfer: false,
      }),
      testToken("UsdtLikeToken", {
        code: "tUSDT",
        decimals: 6,
        permitKind: null,
        approveZeroFirst: true,
        feeOnTransfer: false,
      }),
      testToken("PermitToken", {
        code: "tUSDC",
        decimals: 6,
        permitKind: "eip2612",
        approveZeroFirst: false,
        feeOnTransfer: false,
      }),
      testToken(
        "BlacklistPausableToken",
        { code: "tRUSD", decimals: 6, permitKind: null, approveZeroFirst: false, feeOnTransfer: false },
        encodeAbiParameters([{ type: "address" }], [LOCAL_DEPLOYER]),
      ),
      testToken("FeeOnTransferToken", {
        code: "tFEE",
        decimals: 18,
        permitKind: null,
        approveZeroFirst: false,
        feeOnTransfer: true,
      }),
      // USDC since FiatTokenV2_2: permits signed as bytes, so smart-contract accounts can sign (ERC-1271, ERC-6492)
      testToken("SignaturePermitToken", {
        code: "tSUSD",
        decimals: 6,
        permitKind: "eip2612-bytes",
        approveZeroFirst: false,
        feeOnTransfer: false,
      }),
      testToken("DaiLikeToken", {
        code: "tDAI",
        decimals: 18,
        permitKind: "dai",
        approveZeroFirst: false,
        feeOnTransfer: false,
      }),
    ],
  };
}

/** The local development chain as viem describes one, reached at `rpcUrl`: for clients and wallets in scripts and tests. */
export function localViemChain(rpcUrl: string): Chain {
  return defineChain({
    id: 31337,
    name: "localhost",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}
