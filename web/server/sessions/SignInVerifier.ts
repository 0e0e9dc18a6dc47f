import {
  type Address,
  createPublicClient,
  getAddress,
  type Hex,
  http,
  isAddressEqual,
  type PublicClient,
  recoverMessageAddress,
} from "viem";
import { parseSiweMessage, verifySiweMessage } from "viem/siwe";
import { badRequest, unauthorized } from "../../../server/http/ApiError.js";
import { UnavailableError } from "../http/UnavailableError.js";
import type { IssuedNonce } from "./SessionStore.js";

/** What a sign-in proved: who signed, and until when the message allows a session. */
export interface SignedIn {
  address: Address;
  /** The message's expiration time, unix milliseconds, if it has one. */
  expiresAt?: number;
}

/** The EIP-4361 fields a sign-in message must have. */
const REQUIRED = ["domain", "address", "uri", "version", "chainId", "nonce", "issuedAt"] as const;

/**
 * How far a wallet's clock may be from this server's when it writes a message's `issuedAt`, milliseconds: browsers
 * stamp the time from the device's clock, which may run a little fast or slow.
 */
const CLOCK_SKEW_MS = 60_000;

/**
 * Checks Sign-In with Ethereum (EIP-4361) messages: that each was written for this site (its configured public
 * origin, never the request's Host, which the sender chooses: otherwise a phishing site could relay a message its
 * visitor signed for it), this sign-in's nonce, a chain the site serves and the present moment, and that the address
 * it names signed it. Externally owned accounts are checked here; smart-contract wallets (ERC-1271, and ERC-6492
 * for ones not deployed yet) through the chain's RPC. Each refusal says what was wrong and what to do.
 */
export class SignInVerifier {
  /** One RPC client per chain the site serves: the configuration bounds them, so there is nothing to evict. */
  readonly #clients: ReadonlyMap<number, PublicClient>;
  readonly #origin: URL;

  /**
   * @param origin The site's public origin (`WEB_PUBLIC_ORIGIN`): a message must name its host as `domain` and a URI
   *   on it.
   * @param rpcUrls The chains the site serves, whose RPC checks contract wallets' signatures.
   */
  constructor(
    origin: string,
    readonly rpcUrls: Map<number, string>,
  ) {
    this.#origin = new URL(origin);
    const clients = new Map<number, PublicClient>();
    for (const [chainId, url] of rpcUrls) {
      clients.set(chainId, createPublicClient({ transport: http(url, { timeout: 10_000, retryCount: 1 }) }));
    }
    this.#clients = clients;
  }

  /**
   * The signer of `message`, or an `ApiError` saying what is wrong. `nonce` is the one this browser's session was
   * given, with when (already spent: a nonce never serves twice, whatever the outcome).
   */
  async verify(request: { message: string; signature: Hex; nonce: IssuedNonce; now?: Date }): Promise<SignedIn> {
    const { message, signature, nonce, now = new Date() } = request;
    const fields = parseSiweMessage(message);
    const missing = REQUIRED.filter((field) => fields[field] === undefined);
    if (missing.length > 0) {
      throw badRequest(
        `The message is not a Sign-In with Ethereum (EIP-4361) message: it lacks ${missing.join(", ")}`,
        missing.map((field) => ({ path: "body.message", message: `no ${field}` })),
      );
    }
    if (fields.nonce !== nonce.value) {
      throw unauthorized(
        "The message's nonce is not the one this browser was given, or was used already: get a new nonce from GET /api/auth/nonce and sign again",
      );
    }
    const domain = this.#origin.host;
    const scheme = this.#origin.protocol.slice(0, -1);
    if (fields.domain !== domain || (fields.scheme !== undefined && fields.scheme !== scheme)) {
      const named = fields.scheme ? `${fields.scheme}://${fields.domain}` : fields.domain;
      throw unauthorized(`The message is for ${named}, but this site is ${domain}: sign a message for ${domain}`);
    }
    const uri = fields.uri as string;
    if (!URL.canParse(uri) || new URL(uri).origin !== this.#origin.origin) {
      throw unauthorized(
        `The message's URI ${uri} is not on this site: sign a message whose URI is on ${this.#origin.origin}`,
      );
    }
    if (fields.version !== "1") {
      throw badRequest(`The message has version ${fields.version}: sign an EIP-4361 message of version 1`, [
        { path: "body.message", message: "unknown version" },
      ]);
    }
    const chainId = fields.chainId as number;
    const client = this.#clients.get(chainId);
    if (!client) {
      throw badRequest(
        `The message is for chain ${chainId}, which this site does not serve: use chain ${[...this.rpcUrls.keys()].join(" or ")}`,
        [{ path: "body.message", message: "unknown chain" }],
      );
    }
    const issuedAt = fields.issuedAt as Date;
    if (Number.isNaN(issuedAt.getTime())) {
      throw badRequest("The message's Issued At is not an RFC 3339 date-time: sign a message made by a SIWE library", [
        { path: "body.message", message: "unreadable issuedAt" },
      ]);
    }
    if (issuedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw unauthorized(
        `The message says it was issued at ${describe(issuedAt)}, which is in the future (it is ${describe(now)} here): check this device's clock and sign again`,
      );
    }
    if (issuedAt.getTime() < nonce.issuedAt - CLOCK_SKEW_MS) {
      throw unauthorized(
        `The message says it was issued at ${describe(issuedAt)}, before its nonce was handed out at ${describe(new Date(nonce.issuedAt))}: sign a new message with the current time`,
      );
    }
    if (fields.expirationTime && !(fields.expirationTime > now)) {
      throw unauthorized(`The message expired at ${describe(fields.expirationTime)}: sign a new one`);
    }
    if (fields.notBefore && !(fields.notBefore <= now)) {
      throw unauthorized(`The message is not valid before ${describe(fields.notBefore)}: sign one valid now`);
    }
    // present: REQUIRED was checked above
    const address = getAddress(fields.address as Address);
    if (!(await this.#signedBy(address, message, signature, client, nonce.value, domain, now))) {
      throw unauthorized(`The signature is not ${address}'s signature of this message: sign it with that wallet`);
    }
    return { address, ...(fields.expirationTime ? { expiresAt: fields.expirationTime.getTime() } : {}) };
  }

  async #signedBy(
    address: Address,
    message: string,
    signature: Hex,
    client: PublicClient,
    nonce: string,
    domain: string,
    time: Date,
  ): Promise<boolean> {
    // most wallets are keys: recover the signer here, with no round trip to the chain
    try {
      if (isAddressEqual(await recoverMessageAddress({ message, signature }), address)) return true;
    } catch {
      // not an ECDSA signature: a smart-contract wallet's, perhaps
    }
    try {
      return await verifySiweMessage(client, { message, signature, address, domain, nonce, time });
    } catch (error) {
      throw new UnavailableError(
        "Could not check the signature with the chain's RPC (needed for smart-contract wallets); try again in a minute",
        { cause: error },
      );
    }
  }
}

function describe(date: Date): string {
  return Number.isNaN(date.getTime()) ? "an unreadable time" : date.toISOString();
}
