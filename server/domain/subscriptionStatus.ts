import type { OnChainState } from "../chain/ChainAccess.js";
import { SUBSCRIPTION_ACTIONS, type SubscriptionAction, type SubscriptionStatus } from "../db/schema.js";

/** What `state()` of a subscription's contract reports; `None` while nothing is deployed at its address. */
export type OnChainStatus = OnChainState["status"];

/**
 * Everything that can happen to a subscription: the actions asked for (through the API, or by an approval the
 * worker saw), what the worker finds when it carries them out or charges, and what the chain says.
 */
export const SUBSCRIPTION_EVENTS = [
  // asked for: on-chain work the worker carries out (a draft's cancellation needs none)
  "activate",
  "pause",
  "unpause",
  "cancel",
  // the worker's findings: the chain refuses an activation (allowance or balance short, deadline passed...); a due
  // charge failed within the plan's grace period (retried on the ladder); or after it (the platform gives up)
  "activationRefused",
  "chargeFailed",
  "graceExpired",
  // what `state()` says, after a transaction, an event, or a reorganisation
  "chainNone",
  "chainActive",
  "chainPaused",
  "chainCancelled",
  "chainFinished",
] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/** Whether `event` is an action asked for, the only kind of event the rules may refuse. */
export function isAction(event: SubscriptionEvent | undefined): event is SubscriptionAction {
  return (SUBSCRIPTION_ACTIONS as readonly string[]).includes(event ?? "");
}

/** The event that the chain reporting `status` is. */
export const CHAIN_EVENTS: Record<OnChainStatus, SubscriptionEvent> = {
  None: "chainNone",
  Active: "chainActive",
  Paused: "chainPaused",
  Cancelled: "chainCancelled",
  Finished: "chainFinished",
};

/** The requests a chain state shows carried out: once it says so, they are done, whoever sent the transaction. */
export const CARRIED_OUT: Record<OnChainStatus, readonly SubscriptionAction[]> = {
  None: [],
  Active: ["activate", "unpause"],
  Paused: ["activate", "pause"],
  Cancelled: ["activate", "pause", "unpause", "cancel"],
  Finished: ["activate", "pause", "unpause", "cancel"],
};

/**
 * The states of the chain that a status in the database does not run ahead of. A deployed subscription's status
 * claims a contract at its address; a paused or finished one claims that very state; a cancelled one the
 * cancellation or no contract at all (a cancelled draft). The rest (a draft, an activation under way, an error)
 * claim nothing the chain must show.
 */
const CHAIN_STATES_BEHIND: Record<SubscriptionStatus, readonly OnChainStatus[]> = {
  Draft: ["None", "Active", "Paused", "Cancelled", "Finished"],
  Pending: ["None", "Active", "Paused", "Cancelled", "Finished"],
  Error: ["None", "Active", "Paused", "Cancelled", "Finished"],
  Active: ["Active", "Paused", "Cancelled", "Finished"],
  Suspended: ["Active", "Paused", "Cancelled", "Finished"],
  PendingPause: ["Active", "Paused", "Cancelled", "Finished"],
  PendingUnPause: ["Active", "Paused", "Cancelled", "Finished"],
  PendingCancel: ["Active", "Paused", "Cancelled", "Finished"],
  Paused: ["Paused"],
  Finished: ["Finished"],
  Cancelled: ["None", "Cancelled"],
};

/**
 * Whether the database holds something of a subscription that the chain, read at its head, does not: more charges
 * than `state` shows, or a status {@link CHAIN_STATES_BEHIND} says the chain should show. A reorganisation took it
 * back; what the chain holds and the database does not yet is not this (the chain's events bring it).
 */
export function aheadOfChain(
  row: { status: SubscriptionStatus; periodsCharged: number },
  state: Pick<OnChainState, "status" | "periodsCharged"> | undefined,
): boolean {
  if ((state?.periodsCharged ?? 0) < row.periodsCharged) return true;
  return !CHAIN_STATES_BEHIND[row.status].includes(state?.status ?? "None");
}

/** What besides its status decides where a subscription goes. */
export interface StatusContext {
  /** The on-chain work asked for and not carried out yet. */
  pending: ReadonlySet<SubscriptionAction>;
  /** A period fell due and its charge keeps failing. */
  failing: boolean;
}

/** Nothing asked for, nothing failing: the context of a request through the API. */
export const NOTHING_PENDING: StatusContext = { pending: new Set(), failing: false };

/**
 * What an event does to a subscription: move it to a status (and ask the worker for `request` on chain), leave it
 * as it is (already there, or nothing to do), or refuse (only an action asked for can be refused).
 */
export type Transition =
  | { kind: "move"; to: SubscriptionStatus; request?: SubscriptionAction }
  | { kind: "stay" }
  | { kind: "refuse" };

type Rule = (context: StatusContext) => Transition;

const STAY: Transition = { kind: "stay" };
const REFUSE: Transition = { kind: "refuse" };

const stay: Rule = () => STAY;
const refuse: Rule = () => REFUSE;
const moveTo =
  (to: SubscriptionStatus): Rule =>
  () => ({ kind: "move", to });
/** Moves to `to` and asks the worker to carry out `request` on chain. */
const ask =
  (request: SubscriptionAction, to: SubscriptionStatus): Rule =>
  () => ({ kind: "move", to, request });

/**
 * The chain has it active: it shows what the platform still has to do there (a cancel before a pause), or that its
 * charge keeps failing.
 */
const followActive: Rule = ({ pending, failing }) => ({
  kind: "move",
  to: pending.has("cancel")
    ? "PendingCancel"
    : pending.has("pause")
      ? "PendingPause"
      : failing
        ? "Suspended"
        : "Active",
});
/** The chain has it paused: it shows a cancel or an unpause still to be done. */
const followPaused: Rule = ({ pending }) => ({
  kind: "move",
  to: pending.has("cancel") ? "PendingCancel" : pending.has("unpause") ? "PendingUnPause" : "Paused",
});
/** What was charging is no longer on chain (a reorganisation): it is activated again. */
const activateAgain: Rule = ({ pending }) =>
  pending.has("activate") ? { kind: "move", to: "Pending" } : { kind: "move", to: "Pending", request: "activate" };
/**
 * What was paused, being cancelled or finished is no longer on chain (a reorganisation): it waits for the chain to
 * show it again, and is not activated again, since nobody wants it charging.
 */
const lost = moveTo("Pending");

/** The chain's word on a subscription that was on chain, or is now: the same from every status. */
const ON_CHAIN = {
  chainActive: followActive,
  chainPaused: followPaused,
  chainCancelled: moveTo("Cancelled"),
  chainFinished: moveTo("Finished"),
} as const;

/** A subscription the keeper is done with: asks for its cancellation, sent as operator. */
const giveUp = ask("cancel", "PendingCancel");

/**
 * Every rule, by status and event. A status or event added without its rules does not compile, and
 * `subscriptionStatus.test.ts` enumerates every pair.
 */
const RULES: Record<SubscriptionStatus, Record<SubscriptionEvent, Rule>> = {
  Draft: {
    activate: ask("activate", "Pending"),
    pause: refuse,
    unpause: refuse,
    // nothing is on chain: cancelled at once
    cancel: moveTo("Cancelled"),
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: stay,
    chainNone: stay,
    ...ON_CHAIN,
  },
  Pending: {
    activate: stay,
    pause: refuse,
    unpause: refuse,
    cancel: ask("cancel", "PendingCancel"),
    // back to a draft, with the reason, until asked again
    activationRefused: moveTo("Draft"),
    chargeFailed: stay,
    graceExpired: giveUp,
    chainNone: stay,
    ...ON_CHAIN,
  },
  Active: {
    activate: stay,
    pause: ask("pause", "PendingPause"),
    unpause: stay,
    cancel: ask("cancel", "PendingCancel"),
    activationRefused: stay,
    chargeFailed: moveTo("Suspended"),
    graceExpired: giveUp,
    chainNone: activateAgain,
    ...ON_CHAIN,
  },
  Suspended: {
    activate: stay,
    pause: ask("pause", "PendingPause"),
    unpause: refuse,
    cancel: ask("cancel", "PendingCancel"),
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: giveUp,
    chainNone: activateAgain,
    ...ON_CHAIN,
  },
  PendingPause: {
    activate: stay,
    pause: stay,
    unpause: refuse,
    cancel: ask("cancel", "PendingCancel"),
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: giveUp,
    chainNone: activateAgain,
    ...ON_CHAIN,
  },
  Paused: {
    activate: stay,
    pause: stay,
    unpause: ask("unpause", "PendingUnPause"),
    cancel: ask("cancel", "PendingCancel"),
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: giveUp,
    chainNone: lost,
    ...ON_CHAIN,
  },
  PendingUnPause: {
    activate: stay,
    pause: refuse,
    unpause: stay,
    cancel: ask("cancel", "PendingCancel"),
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: giveUp,
    chainNone: activateAgain,
    ...ON_CHAIN,
  },
  Finished: {
    activate: refuse,
    pause: refuse,
    unpause: refuse,
    cancel: refuse,
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: stay,
    chainNone: lost,
    ...ON_CHAIN,
  },
  PendingCancel: {
    activate: refuse,
    pause: refuse,
    unpause: refuse,
    cancel: stay,
    activationRefused: stay,
    chargeFailed: stay,
    // its cancellation is already asked for
    graceExpired: stay,
    chainNone: lost,
    ...ON_CHAIN,
  },
  Cancelled: {
    activate: refuse,
    pause: refuse,
    unpause: refuse,
    cancel: stay,
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: stay,
    chainNone: stay,
    ...ON_CHAIN,
  },
  Error: {
    activate: refuse,
    pause: refuse,
    unpause: refuse,
    cancel: refuse,
    activationRefused: stay,
    chargeFailed: stay,
    graceExpired: stay,
    chainNone: stay,
    ...ON_CHAIN,
  },
};

/**
 * Where `event` takes a subscription in `status`: the subscription's rules, in one place and free of I/O. A move
 * to the status it is already in, asking for nothing, is reported as `stay`.
 */
export function decide(
  status: SubscriptionStatus,
  event: SubscriptionEvent,
  context: StatusContext = NOTHING_PENDING,
): Transition {
  const transition = RULES[status][event](context);
  if (transition.kind === "move" && transition.to === status && transition.request === undefined) return STAY;
  return transition;
}
