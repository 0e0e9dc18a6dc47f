import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import { injectedWallet } from "@rainbow-me/rainbowkit/wallets";
import { type Chain, defineChain } from "viem";
import { createConfig, http } from "wagmi";
import type { SiteChain, SiteConfig } from "../api/types";

/** A chain of the site's configuration as viem and the wallet see it. */
export function toViemChain(chain: SiteChain): Chain {
  return defineChain({
    id: chain.chainId,
    name: chain.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
    ...(chain.explorerUrl ? { blockExplorers: { default: { name: "Explorer", url: chain.explorerUrl } } } : {}),
  });
}

/**
 * wagmi for the site's chains. Only injected wallets: EIP-6963 wallets announce themselves and RainbowKit lists
 * them, so nothing is requested from a third-party host at start-up. (WalletConnect would need the operator's
 * project id and is not wired yet.)
 */
export function createWagmiConfig(site: SiteConfig) {
  const chains = site.chains.map(toViemChain);
  const [first, ...rest] = chains;
  if (!first) throw new Error("The site serves no chain: the platform lists none that this site has an RPC URL for");
  const connectors = connectorsForWallets([{ groupName: "Installed", wallets: [injectedWallet] }], {
    appName: "Recur",
    // only WalletConnect-based wallets use it, and none is listed
    projectId: site.walletConnectProjectId ?? "unused",
  });
  return createConfig({
    chains: [first, ...rest],
    connectors,
    transports: Object.fromEntries(chains.map((chain) => [chain.id, http()])),
    multiInjectedProviderDiscovery: true,
    pollingInterval: 1_000,
  });
}
