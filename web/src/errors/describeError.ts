import type { TFunction } from "i18next";
import { BaseError, ContractFunctionRevertedError, InsufficientFundsError, UserRejectedRequestError } from "viem";
import { ApiError } from "../api/ApiError";
import { PayerFacingError } from "./PayerFacingError";

/** The contracts' custom errors that a payer can meet, each with a sentence of its own. */
const CONTRACT_ERRORS = new Set([
  "InsufficientAllowance",
  "InsufficientBalance",
  "ActivationExpired",
  "AlreadyActivated",
  "NotDue",
  "AlreadyEnded",
  "NotActive",
  "NotPaused",
  "Unauthorized",
  "TransferFailed",
  "ShortDelivery",
]);

/** How a node or wallet says the account cannot pay for gas, in any error of the chain (viem's own pattern). */
const NO_GAS = InsufficientFundsError.nodeMessage;

/** The longest technical detail quoted to a payer: a raw RPC error can carry a whole signed transaction. */
const DETAIL_LIMIT = 160;

/** `error` and every error it was caused by, outermost first (at most 16: a cycle ends there). */
function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 16 && current !== undefined && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** The first line of what `error` says about itself, cut short: never a request's arguments or a transaction. */
function shortDetail(error: unknown): string {
  const said =
    (error as { shortMessage?: unknown }).shortMessage ?? (error instanceof Error ? error.message : String(error));
  const line = String(said).split("\n")[0]?.trim() ?? "";
  return line.length > DETAIL_LIMIT ? `${line.slice(0, DETAIL_LIMIT - 1)}…` : line;
}

/** Whether the payer declined the request in the wallet (EIP-1193 error 4001, however the library wrapped it). */
export function isRejection(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    error.walk((cause) => cause instanceof UserRejectedRequestError || (cause as { code?: number }).code === 4001) !==
      null
  );
}

/** Values a message may name, already formatted for the reader (an amount with its token, say). */
export interface ErrorContext {
  amount?: string;
}

/**
 * Any failure of the checkout (the wallet, the chain, this site's server) as one sentence a payer understands and
 * can act on: a declined request, a custom contract error by name, a refusal from the server in its own words. What
 * it does not know is said as "Something went wrong" with the first line of the error, cut short: never a raw RPC
 * answer with its request and signed transaction.
 */
export function describeError(t: TFunction, error: unknown, context: ErrorContext = {}): string {
  if (error instanceof PayerFacingError) return error.message;
  if (error instanceof ApiError) {
    if (error.code === "NetworkError") return t("errors.network");
    if (error.status === 401) return t("errors.notSignedIn");
    return t("errors.server", { message: error.message });
  }
  if (error instanceof BaseError) {
    if (isRejection(error)) return t("errors.rejected");
    if (error.walk((cause) => cause instanceof InsufficientFundsError)) return t("errors.insufficientFunds");
    const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      if (name && CONTRACT_ERRORS.has(name)) return t(`errors.${name}`, { amount: context.amount ?? "" });
      return t("errors.reverted", { reason: reverted.reason ?? reverted.shortMessage });
    }
  }
  // a wallet's own error, or a node's answer that viem did not classify: recognise the gas shortfall by its words
  for (const cause of causes(error)) {
    const said = [(cause as { details?: unknown }).details, (cause as { message?: unknown }).message];
    if (said.some((text) => typeof text === "string" && NO_GAS.test(text))) return t("errors.insufficientFunds");
  }
  return t("errors.unknown", { message: shortDetail(error) });
}
