import type { Address } from "viem";
import { createSiweMessage } from "viem/siwe";

/**
 * The Sign-In with Ethereum (EIP-4361) message this page asks the wallet to sign: for this page's own origin (the
 * wallet checks it against the page asking, and the web server against its configured public origin), on a chain
 * the site serves (the wallet's own when the site serves it, so a sign-in switches no network; else the site's
 * first), with the nonce the web server just handed out and the time it is written, which must not be before that.
 */
export function siteSignInMessage(input: {
  /** Where the page is: `window.location`. */
  location: Pick<Location, "host" | "origin">;
  payer: Address;
  walletChainId: number;
  /** The chains the site serves, in its order. */
  servedChainIds: readonly [number, ...number[]];
  nonce: string;
  statement: string;
  now: Date;
}): string {
  const { location, servedChainIds } = input;
  const chainId = servedChainIds.includes(input.walletChainId) ? input.walletChainId : servedChainIds[0];
  return createSiweMessage({
    domain: location.host,
    address: input.payer,
    uri: location.origin,
    version: "1",
    chainId,
    nonce: input.nonce,
    statement: input.statement,
    issuedAt: input.now,
  });
}
