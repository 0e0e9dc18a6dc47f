import type { Address } from "viem";
import type { Config } from "wagmi";
import { signMessage } from "wagmi/actions";
import { getSignInNonce, getSiteSession, verifySignIn } from "../api/siteApi";
import { siteSignInMessage } from "./siteSignInMessage";

/** A Sign-In with Ethereum for this site, unless the wallet is signed in already. */
export async function signInToSite(wagmiConfig: Config, payer: Address, chainId: number, statement: string) {
  const session = await getSiteSession();
  if (session?.address === payer) return;
  const nonce = await getSignInNonce();
  const [first, ...rest] = wagmiConfig.chains;
  const message = siteSignInMessage({
    location: window.location,
    payer,
    walletChainId: chainId,
    servedChainIds: [first.id, ...rest.map((chain) => chain.id)],
    nonce,
    statement,
    // after the nonce was handed out: the web server refuses a message older than its nonce
    now: new Date(),
  });
  const signature = await signMessage(wagmiConfig, { account: payer, message });
  await verifySignIn(message, signature);
}
