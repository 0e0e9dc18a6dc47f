import { randomBytes } from "node:crypto";
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
  /** The platform's token for this session's customer, reused until shortly before it expires. */
  customerToken?: { token: string; expiresAt: number };
}

export interface SessionStoreOptions {
  /** How long a signed-in session lasts, milliseconds. */
  signedInTtlMs: number;
  /** How long a nonce (and a session that only holds one) lasts, milliseconds. */
  nonceTtlMs: number;
  /** Sessions kept at most; the oldest go first, so a flood of nonce requests cannot exhaust memory. */
  maxSessions: number;
  now?: () => number;
}

/**
 * Sessions in this process's memory, keyed by a random id that travels in a signed cookie. Enough for the single
 * process a merchant's site runs as; several processes behind a load balancer would need a shared store.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #now: () => number;

  constructor(readonly options: SessionStoreOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** The live session with this id, if any. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session && session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** A new session holding a fresh single-use nonce. */
  startSignIn(): { session: Session; nonce: string } {
    const session = this.#add(this.options.nonceTtlMs);
    return { session, nonce: this.issueNonce(session) };
  }

  /** Replaces the session's nonce with a fresh one (one sign-in in progress per session). */
  issueNonce(session: Session): string {
    const issuedAt = this.#now();
    const expiresAt = issuedAt + this.options.nonceTtlMs;
    session.nonce = { value: generateSiweNonce(), issuedAt, expiresAt };
    session.expiresAt = Math.max(session.expiresAt, expiresAt);
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
    this.#sessions.delete(previous.id);
    const session = this.#add(this.options.signedInTtlMs, notAfter);
    session.wallet = wallet;
    return session;
  }

  end(session: Session): void {
    this.#sessions.delete(session.id);
  }

  #add(ttlMs: number, notAfter = Number.POSITIVE_INFINITY): Session {
    if (this.#sessions.size >= this.options.maxSessions) this.#evict();
    const session: Session = {
      id: randomBytes(24).toString("base64url"),
      expiresAt: Math.min(this.#now() + ttlMs, notAfter),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /**
   * Drops expired sessions, then the oldest sign-ins in progress (anyone can start those, at no cost), and only
   * then the oldest signed-in sessions, until there is room for one more.
   */
  #evict(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
    for (const spare of [(session: Session) => !session.wallet, () => true]) {
      for (const [id, session] of this.#sessions) {
        if (this.#sessions.size < this.options.maxSessions) return;
        if (spare(session)) this.#sessions.delete(id);
      }
    }
  }
}
