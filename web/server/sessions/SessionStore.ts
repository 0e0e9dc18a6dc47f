import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Address } from "viem";
import { generateSiweNonce } from "viem/siwe";

/** A sign-in nonce and when it was handed out (unix milliseconds): a message signed for it cannot be older. */
export interface IssuedNonce {
  value: string;
  issuedAt: number;
}

/** A browser's session: a sign-in in progress (a nonce), or a signed-in wallet. */
export interface Session {
  readonly id: string;
  /** Unix milliseconds after which the session is gone. */
  expiresAt: number;
  /** The nonce handed out for the next sign-in, until it is used or expires. */
  nonce?: IssuedNonce & { expiresAt: number };
  /** The signed-in wallet (checksummed): the customer and payer of everything done in this session. */
  wallet?: { address: Address; admin: boolean };
}

export interface SessionStoreOptions {
  /** How long a signed-in session lasts, milliseconds. */
  signedInTtlMs: number;
  /** How long a nonce (and a session that only holds one) lasts, milliseconds. */
  nonceTtlMs: number;
  /**
   * Sessions kept at most, of both kinds together; past it the least recently used sign-in in progress goes first,
   * so a flood of nonce requests cannot exhaust memory or push out signed-in payers.
   */
  maxSessions: number;
  now?: () => number;
}

/**
 * Sessions in this process's memory, keyed by a random id that travels in a signed cookie. Enough for the single
 * process a merchant's site runs as; several processes behind a load balancer would need a shared store.
 *
 * Two LRU caches (lru-cache) hold them, each entry living until its session's `expiresAt`: sign-ins in progress
 * (anyone can start those, at no cost) and signed-in sessions, so that when the store is full the expired go first,
 * then sign-ins in progress, and signed-in sessions only when no sign-in is left to drop.
 */
export class SessionStore {
  readonly #signingIn: LRUCache<string, Session>;
  readonly #signedIn: LRUCache<string, Session>;
  readonly #now: () => number;

  constructor(readonly options: SessionStoreOptions) {
    const now = options.now ?? Date.now;
    this.#now = now;
    // the store's clock, read at every look (ttlResolution 0), so an injected clock is the one that counts
    const cache = (ttl: number) =>
      new LRUCache<string, Session>({ max: options.maxSessions, ttl, ttlResolution: 0, perf: { now } });
    this.#signingIn = cache(options.nonceTtlMs);
    this.#signedIn = cache(options.signedInTtlMs);
  }

  /** The live session with this id, if any. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    return this.#signedIn.get(id) ?? this.#signingIn.get(id);
  }

  /** A new session holding a fresh single-use nonce. */
  startSignIn(): { session: Session; nonce: string } {
    const session = this.#create(this.options.nonceTtlMs);
    return { session, nonce: this.issueNonce(session) };
  }

  /** Replaces the session's nonce with a fresh one (one sign-in in progress per session). */
  issueNonce(session: Session): string {
    const issuedAt = this.#now();
    const expiresAt = issuedAt + this.options.nonceTtlMs;
    session.nonce = { value: generateSiweNonce(), issuedAt, expiresAt };
    session.expiresAt = Math.max(session.expiresAt, expiresAt);
    this.#keep(session);
    return session.nonce.value;
  }

  /** The session's unexpired nonce with its issue time, removed so it can never be used again. */
  takeNonce(session: Session | undefined): IssuedNonce | undefined {
    const nonce = session?.nonce;
    if (session) delete session.nonce;
    return nonce && nonce.expiresAt > this.#now() ? { value: nonce.value, issuedAt: nonce.issuedAt } : undefined;
  }

  /**
   * Ends `previous` and starts a signed-in session under a new id, so an id planted in a browser before sign-in
   * (session fixation) is worth nothing after it. Lasts until `notAfter` (the message's expiry) if that is sooner.
   */
  signIn(previous: Session, wallet: Session["wallet"] & {}, notAfter?: number): Session {
    this.end(previous);
    const session = this.#create(this.options.signedInTtlMs, notAfter);
    session.wallet = wallet;
    this.#keep(session);
    return session;
  }

  end(session: Session): void {
    this.#signingIn.delete(session.id);
    this.#signedIn.delete(session.id);
  }

  /** A new session lasting `ttlMs` (or until `notAfter`), with room made for it. */
  #create(ttlMs: number, notAfter = Number.POSITIVE_INFINITY): Session {
    if (this.#signingIn.size + this.#signedIn.size >= this.options.maxSessions) {
      this.#signingIn.purgeStale();
      this.#signedIn.purgeStale();
    }
    if (this.#signingIn.size + this.#signedIn.size >= this.options.maxSessions) {
      (this.#signingIn.size > 0 ? this.#signingIn : this.#signedIn).pop();
    }
    return { id: randomBytes(24).toString("base64url"), expiresAt: Math.min(this.#now() + ttlMs, notAfter) };
  }

  /** Stores `session` in its cache until its `expiresAt`, or drops it if that has come. */
  #keep(session: Session): void {
    const cache = session.wallet ? this.#signedIn : this.#signingIn;
    // lru-cache keeps an entry through the last millisecond of its ttl; a session is gone at `expiresAt`
    const ttl = session.expiresAt - this.#now() - 1;
    if (ttl > 0) cache.set(session.id, session, { ttl });
    else cache.delete(session.id);
  }
}
