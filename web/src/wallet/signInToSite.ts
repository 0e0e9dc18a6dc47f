import type { Address } from "viem";
import { createSiweMessage } from "viem/siwe";
import type { Config } from "wagmi";
import { signMessage } from "wagmi/actions";
import { getSignInNonce, getSiteSession, verifySignIn } from "../api/siteApi";

/** A Sign-In with Ethereum for this site, unless the wallet is signed in already. */
export async function signInToSite(wagmiConfig: Config, payer: Address, chainId: number, statement: string) {
  const session = await getSiteSession();
  if (session?.address === payer) return;
  const nonce = await getSignInNonce();
  const message = createSiweMessage({
    domain: window.location.host,
    address: payer,
    uri: window.location.origin,
    version: "1",
    chainId,
    nonce,
    statement,
    issuedAt: new Date(),
  });
  const signature = await signMessage(wagmiConfig, { account: payer, message });
  await verifySignIn(message, signature);
}
