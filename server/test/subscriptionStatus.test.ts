import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SUBSCRIPTION_ACTIONS, SUBSCRIPTION_STATUSES, type SubscriptionAction } from "../db/schema.js";
import {
  aheadOfChain,
  CARRIED_OUT,
  CHAIN_EVENTS,
  decide,
  isAction,
  type OnChainStatus,
  type StatusContext,
  SUBSCRIPTION_EVENTS,
  type Transition,
} from "../domain/subscriptionStatus.js";

/** A transition in a word: `stay`, `refuse`, the status moved to, and `+action` when the move asks for one. */
function word(transition: Transition): string {
  if (transition.kind !== "move") return transition.kind;
  return transition.request ? `${transition.to}+${transition.request}` : transition.to;
}

const EVENTS = [
  "activate",
  "pause",
  "unpause",
  "cancel",
  "activationRefused",
  "chargeFailed",
  "graceExpired",
  "chainNone",
  "chainActive",
  "chainPaused",
  "chainCancelled",
  "chainFinished",
] as const;

/**
 * Every status by every event (columns in the order of {@link EVENTS}), with nothing pending and nothing failing.
 * Written out here, not derived from the module, so that a status or event added without its rules, or a rule
 * changed, fails this test.
 */
// biome-ignore format: one row per status reads as the table it is
const EXPECTED: Record<string, readonly string[]> = {
  //               activate  pause  unpause  cancel  refused  chargeFailed  graceExpired  None  Active  Paused  Cancelled  Finished
  Draft: ["Pending+activate", "refuse", "refuse", "Cancelled", "stay", "stay", "stay", "stay", "Active", "Paused", "Cancelled", "Finished"],
  Pending: ["stay", "refuse", "refuse", "PendingCancel+cancel", "Draft", "stay", "PendingCancel+cancel", "stay", "Active", "Paused", "Cancelled", "Finished"],
  Active: ["stay", "PendingPause+pause", "stay", "PendingCancel+cancel", "stay", "Suspended", "PendingCancel+cancel", "Pending+activate", "stay", "Paused", "Cancelled", "Finished"],
  Suspended: ["stay", "PendingPause+pause", "refuse", "PendingCancel+cancel", "stay", "stay", "PendingCancel+cancel", "Pending+activate", "Active", "Paused", "Cancelled", "Finished"],
  PendingPause: ["stay", "stay", "refuse", "PendingCancel+cancel", "stay", "stay", "PendingCancel+cancel", "Pending+activate", "Active", "Paused", "Cancelled", "Finished"],
  Paused: ["stay", "stay", "PendingUnPause+unpause", "PendingCancel+cancel", "stay", "stay", "PendingCancel+cancel", "Pending", "Active", "stay", "Cancelled", "Finished"],
  PendingUnPause: ["stay", "refuse", "stay", "PendingCancel+cancel", "stay", "stay", "PendingCancel+cancel", "Pending+activate", "Active", "Paused", "Cancelled", "Finished"],
  Finished: ["refuse", "refuse", "refuse", "refuse", "stay", "stay", "stay", "Pending", "Active", "Paused", "Cancelled", "stay"],
  PendingCancel: ["refuse", "refuse", "refuse", "stay", "stay", "stay", "stay", "Pending", "Active", "Paused", "Cancelled", "Finished"],
  Cancelled: ["refuse", "refuse", "refuse", "stay", "stay", "stay", "stay", "stay", "Active", "Paused", "stay", "Finished"],
  Error: ["refuse", "refuse", "refuse", "refuse", "stay", "stay", "stay", "stay", "Active", "Paused", "Cancelled", "Finished"],
};

const CHAIN_STATUSES: readonly OnChainStatus[] = ["None", "Active", "Paused", "Cancelled", "Finished"];

/** Every set of pending requests, each with and without a failing charge: 32 contexts. */
const CONTEXTS: StatusContext[] = Array.from({ length: 2 ** SUBSCRIPTION_ACTIONS.length }, (_, bits) =>
  SUBSCRIPTION_ACTIONS.filter((_, i) => bits & (1 << i)),
).flatMap((pending) => [false, true].map((failing) => ({ pending: new Set<SubscriptionAction>(pending), failing })));

/** What `status` shows, given where the chain's word takes it: a move, or `stay` when that is where it is. */
const moveOrStay = (from: string, to: string) => (from === to ? "stay" : to);

describe("the subscription's rules", { timeout: 60_000 }, () => {
  it("have a rule for every status and every event, and no other", () => {
    assert.deepEqual([...SUBSCRIPTION_EVENTS], [...EVENTS], "the events this test enumerates are the module's");
    assert.deepEqual(Object.keys(EXPECTED), [...SUBSCRIPTION_STATUSES], "the statuses this test enumerates");
    assert.deepEqual(SUBSCRIPTION_EVENTS.filter(isAction), [...SUBSCRIPTION_ACTIONS], "every action is an event");
    for (const status of SUBSCRIPTION_STATUSES) {
      assert.equal(EXPECTED[status]?.length, EVENTS.length, `one expectation per event for ${status}`);
      for (const event of SUBSCRIPTION_EVENTS) {
        for (const context of CONTEXTS) {
          const transition = decide(status, event, context);
          if (transition.kind !== "move") continue;
          assert.ok(SUBSCRIPTION_STATUSES.includes(transition.to), `${status} x ${event}: ${transition.to}`);
          if (transition.request !== undefined) assert.ok(SUBSCRIPTION_ACTIONS.includes(transition.request));
          assert.ok(transition.to !== status || transition.request !== undefined, "a move goes somewhere");
        }
      }
    }
  });

  it("move every status by every event as the table says, with nothing pending and nothing failing", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      const actual = SUBSCRIPTION_EVENTS.map((event) => word(decide(status, event)));
      assert.deepEqual(actual, EXPECTED[status], status);
    }
  });

  it("refuse only actions asked for: the worker's findings and the chain's word are never refused", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      for (const event of SUBSCRIPTION_EVENTS) {
        if (isAction(event)) continue;
        for (const context of CONTEXTS) assert.notEqual(decide(status, event, context).kind, "refuse");
      }
    }
  });

  it("show a subscription active on chain as its pending cancel, then its pending pause, then its failing charge", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      for (const context of CONTEXTS) {
        const { pending, failing } = context;
        const shown = pending.has("cancel")
          ? "PendingCancel"
          : pending.has("pause")
            ? "PendingPause"
            : failing
              ? "Suspended"
              : "Active";
        assert.equal(
          word(decide(status, "chainActive", context)),
          moveOrStay(status, shown),
          `${status} ${[...pending]}`,
        );
      }
    }
  });

  it("show a subscription paused on chain as its pending cancel, then its pending unpause", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      for (const context of CONTEXTS) {
        const { pending } = context;
        const shown = pending.has("cancel") ? "PendingCancel" : pending.has("unpause") ? "PendingUnPause" : "Paused";
        assert.equal(
          word(decide(status, "chainPaused", context)),
          moveOrStay(status, shown),
          `${status} ${[...pending]}`,
        );
      }
    }
  });

  it("take the chain's cancelled and finished as final, whatever is pending or failing", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      for (const context of CONTEXTS) {
        assert.equal(word(decide(status, "chainCancelled", context)), moveOrStay(status, "Cancelled"));
        assert.equal(word(decide(status, "chainFinished", context)), moveOrStay(status, "Finished"));
      }
    }
  });

  it("activate again, once, what was charging when the chain lost it, and nothing that should not charge", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      for (const context of CONTEXTS) {
        const transition = decide(status, "chainNone", context);
        if (["Active", "Suspended", "PendingPause", "PendingUnPause"].includes(status)) {
          // an activation already asked for is not asked again
          assert.equal(word(transition), context.pending.has("activate") ? "Pending" : "Pending+activate", status);
        } else if (["Paused", "PendingCancel", "Finished"].includes(status)) {
          assert.equal(word(transition), "Pending", status);
        } else {
          // never on chain, or no longer wanted there
          assert.equal(word(transition), "stay", status);
        }
      }
    }
  });

  it("read each of the chain's states as an event, and know which requests it shows carried out", () => {
    assert.deepEqual(Object.keys(CHAIN_EVENTS), [...CHAIN_STATUSES]);
    assert.deepEqual(Object.keys(CARRIED_OUT), [...CHAIN_STATUSES]);
    for (const status of CHAIN_STATUSES) assert.equal(CHAIN_EVENTS[status], `chain${status}`);
    assert.deepEqual(CARRIED_OUT, {
      None: [],
      Active: ["activate", "unpause"],
      Paused: ["activate", "pause"],
      Cancelled: ["activate", "pause", "unpause", "cancel"],
      Finished: ["activate", "pause", "unpause", "cancel"],
    });
  });

  it("know when the database runs ahead of the chain, for every status by every chain state", () => {
    // rows by status, columns None, Active, Paused, Cancelled, Finished: "ahead" where a reorganisation took back
    // what the status claims; written out, so a new status without its rule fails here
    // biome-ignore format: one row per status reads as the table it is
    const AHEAD: Record<string, readonly string[]> = {
      Draft: ["-", "-", "-", "-", "-"],
      Pending: ["-", "-", "-", "-", "-"],
      Active: ["ahead", "-", "-", "-", "-"],
      Suspended: ["ahead", "-", "-", "-", "-"],
      PendingPause: ["ahead", "-", "-", "-", "-"],
      Paused: ["ahead", "ahead", "-", "ahead", "ahead"],
      PendingUnPause: ["ahead", "-", "-", "-", "-"],
      Finished: ["ahead", "ahead", "ahead", "ahead", "-"],
      PendingCancel: ["ahead", "-", "-", "-", "-"],
      Cancelled: ["-", "ahead", "ahead", "-", "ahead"],
      Error: ["-", "-", "-", "-", "-"],
    };
    assert.deepEqual(Object.keys(AHEAD), [...SUBSCRIPTION_STATUSES]);
    for (const status of SUBSCRIPTION_STATUSES) {
      const row = CHAIN_STATUSES.map((chain) =>
        aheadOfChain({ status, periodsCharged: 2 }, { status: chain, periodsCharged: 2 }) ? "ahead" : "-",
      );
      assert.deepEqual(row, AHEAD[status], status);
      // a charge the chain no longer shows is ahead whatever the status; one the chain shows and the database not yet
      // is the chain's news, not a rollback
      for (const chain of CHAIN_STATUSES) {
        assert.equal(aheadOfChain({ status, periodsCharged: 3 }, { status: chain, periodsCharged: 2 }), true);
        const behind = aheadOfChain({ status, periodsCharged: 1 }, { status: chain, periodsCharged: 2 });
        assert.equal(behind, AHEAD[status]?.[CHAIN_STATUSES.indexOf(chain)] === "ahead", `${status}/${chain}`);
      }
    }
    // no contract read at all counts as nothing deployed
    assert.equal(aheadOfChain({ status: "Active", periodsCharged: 0 }, undefined), true);
    assert.equal(aheadOfChain({ status: "Draft", periodsCharged: 0 }, undefined), false);
  });
});
