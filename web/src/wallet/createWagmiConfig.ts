import { connectorsForWallets } from "@rainbow-me/rainbowkit";
import { injectedWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";
import { type Chain, defineChain } from "viem";
import { createConfig, http } from "wagmi";
import type { SiteChain, SiteConfig } from "../api/types";

/** A chain of the site's configuration as viem and the wallet see it. */
function toViemChain(chain: SiteChain): Chain {
  return defineChain({
    id: chain.chainId,
    name: chain.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
    ...(chain.explorerUrl ? { blockExplorers: { default: { name: "Explorer", url: chain.explorerUrl } } } : {}),
  });
}

/**
 * wagmi for the site's chains. Injected wallets only by default: EIP-6963 wallets announce themselves and RainbowKit
 * lists them, so nothing is requested from a third-party host at start-up. WalletConnect joins the list only when
 * the operator configured a project id (WEB_WALLETCONNECT_PROJECT_ID).
 */
export function createWagmiConfig(site: SiteConfig) {
  const chains = site.chains.map(toViemChain);
  const [first, ...rest] = chains;
  if (!first) throw new Error("The site serves no chain: the platform lists none that this site has an RPC URL for");
  const projectId = site.walletConnectProjectId;
  const connectors = connectorsForWallets(
    [
      { groupName: "Installed", wallets: [injectedWallet] },
      ...(projectId ? [{ groupName: "Other", wallets: [walletConnectWallet] }] : []),
    ],
    // without a project id no WalletConnect-based wallet is listed, and nothing uses it
    { appName: "Recur", projectId: projectId ?? "unused" },
  );
  return createConfig({
    chains: [first, ...rest],
    connectors,
    transports: Object.fromEntries(chains.map((chain) => [chain.id, http()])),
    multiInjectedProviderDiscovery: true,
    pollingInterval: 1_000,
  });
}
