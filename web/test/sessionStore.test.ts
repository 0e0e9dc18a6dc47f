import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SessionStore } from "../server/sessions/SessionStore.js";

const MINUTE = 60_000;
const ALICE = { address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", admin: false } as const;
const BOB = { address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", admin: false } as const;

/** A store on a clock the test moves, with the web server's lifetimes and room for `maxSessions`. */
function storeOf(maxSessions = 100) {
  const clock = { now: 1_700_000_000_000 };
  const store = new SessionStore({
    signedInTtlMs: 12 * 60 * MINUTE,
    nonceTtlMs: 5 * MINUTE,
    maxSessions,
    now: () => clock.now,
  });
  return { store, clock };
}

describe("session store", { timeout: 60_000 }, () => {
  it("keeps a sign-in in progress as long as its nonce, and no longer", () => {
    const { store, clock } = storeOf();
    const { session } = store.startSignIn();
    clock.now += 5 * MINUTE - 1;
    assert.equal(store.get(session.id), session);
    clock.now += 1;
    assert.equal(store.get(session.id), undefined, "gone when its nonce expires");
  });

  it("hands a nonce out once, and never after it expired", () => {
    const { store, clock } = storeOf();
    const { session, nonce } = store.startSignIn();
    assert.equal(store.takeNonce(session)?.value, nonce);
    assert.equal(store.takeNonce(session), undefined, "used already");
    store.issueNonce(session);
    clock.now += 5 * MINUTE;
    assert.equal(store.takeNonce(session), undefined, "expired");
  });

  it("extends a sign-in in progress by a new nonce", () => {
    const { store, clock } = storeOf();
    const { session } = store.startSignIn();
    clock.now += 4 * MINUTE;
    store.issueNonce(session);
    clock.now += 4 * MINUTE;
    assert.equal(store.get(session.id), session, "alive past the first nonce's expiry");
    clock.now += MINUTE;
    assert.equal(store.get(session.id), undefined);
  });

  it("signs in under a new id, ending the old one, until the session or the message expires", () => {
    const { store, clock } = storeOf();
    const before = store.startSignIn().session;
    const signedIn = store.signIn(before, ALICE);
    assert.notEqual(signedIn.id, before.id);
    assert.equal(store.get(before.id), undefined, "the id planted before sign-in is worth nothing");
    assert.deepEqual(store.get(signedIn.id)?.wallet, ALICE);
    const short = store.signIn(store.startSignIn().session, BOB, clock.now + 10 * MINUTE);
    clock.now += 10 * MINUTE - 1;
    assert.equal(store.get(short.id), short);
    clock.now += 1;
    assert.equal(store.get(short.id), undefined, "ends when the message expires");
    clock.now += 12 * 60 * MINUTE - 10 * MINUTE - 1;
    assert.equal(store.get(signedIn.id), signedIn);
    clock.now += 1;
    assert.equal(store.get(signedIn.id), undefined, "ends after the signed-in lifetime");
  });

  it("ends a session at once", () => {
    const { store } = storeOf();
    const session = store.signIn(store.startSignIn().session, ALICE);
    store.end(session);
    assert.equal(store.get(session.id), undefined);
  });

  it("when full, drops sign-ins in progress before any signed-in session", () => {
    const { store } = storeOf(3);
    const alice = store.signIn(store.startSignIn().session, ALICE);
    const pending = Array.from({ length: 10 }, () => store.startSignIn().session);
    assert.equal(store.get(alice.id), alice, "a flood of nonce requests does not sign Alice out");
    const kept = pending.filter((session) => store.get(session.id) !== undefined);
    assert.deepEqual(kept, pending.slice(-2), "the latest sign-ins fill the rest, the first went");
    const bob = store.signIn(store.startSignIn().session, BOB);
    assert.equal(store.get(alice.id), alice);
    assert.equal(store.get(bob.id), bob);
    assert.equal(pending.filter((session) => store.get(session.id) !== undefined).length, 1, "three in all");
  });

  it("when full of signed-in sessions, drops the expired first, then the least recently used", () => {
    const { store, clock } = storeOf(2);
    const brief = store.signIn(store.startSignIn().session, ALICE, clock.now + MINUTE);
    const pending = store.startSignIn().session;
    clock.now += MINUTE;
    const bob = store.signIn(store.startSignIn().session, BOB);
    assert.equal(store.get(pending.id), pending, "the expired session made room, not the live sign-in");
    assert.equal(store.get(brief.id), undefined);
    assert.equal(store.get(bob.id), bob);

    const second = storeOf(2).store;
    const first = second.signIn(second.startSignIn().session, ALICE);
    const next = second.signIn(second.startSignIn().session, BOB);
    const third = second.signIn(second.startSignIn().session, ALICE);
    assert.equal(second.get(first.id), undefined, "the oldest signed-in session went");
    assert.equal(second.get(next.id), next);
    assert.equal(second.get(third.id), third);
  });
});
