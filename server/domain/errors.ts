import type { SubscriptionAction, SubscriptionStatus } from "../db/schema.js";

/** A field-level problem with what a caller asked for: where (`body.payer`) and what is wrong with it. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * What the domain refuses, with a message that says what was wrong and how to fix it, never anything internal.
 * The domain knows nothing of HTTP: the API maps each kind to its status and error code in one place
 * (`server/http/domainErrorStatus.ts`); any other caller (the worker, the command line) reads the class.
 */
export abstract class DomainError extends Error {
  override name = "DomainError";
}

/** What was asked for does not exist, or is not the caller's to see. */
export class NotFoundError extends DomainError {
  override name = "NotFoundError";

  /**
   * @param what The kind of thing looked for, in words (`subscription`, `API key`).
   * @param id The identifier the caller gave.
   * @param hint Where to find the right one, if anywhere.
   */
  constructor(
    readonly what: string,
    readonly id: string,
    readonly hint?: string,
  ) {
    super(`No ${what} ${id}${hint ? `: ${hint}` : ""}`);
  }
}

/** What was asked for contradicts the state things are in (a plan not active, a key rotated away...). */
export class ConflictError extends DomainError {
  override name = "ConflictError";
}

/** What was asked for is malformed or against a rule, whatever state things are in; `problems` name the fields. */
export class InvalidRequestError extends DomainError {
  override name = "InvalidRequestError";

  constructor(
    message: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(message);
  }
}

/** A plan that is not `Active` takes no new subscriptions (drafts or checkout sessions). */
export class PlanNotActiveError extends ConflictError {
  override name = "PlanNotActiveError";

  constructor(
    readonly planId: string,
    readonly status: string,
  ) {
    super(`Plan ${planId} is ${status}: only Active plans take new subscriptions`);
  }
}

/** The subscription's status does not allow the action asked for (see `subscriptionStatus.ts`). */
export class SubscriptionStatusError extends ConflictError {
  override name = "SubscriptionStatusError";

  constructor(
    readonly contractAddress: string,
    readonly status: SubscriptionStatus,
    readonly statusReason: string | null,
    readonly action: SubscriptionAction,
  ) {
    const reason = statusReason ? ` (${statusReason})` : "";
    super(`Subscription ${contractAddress} is ${status}${reason}: it cannot be asked to ${action}`);
  }
}
