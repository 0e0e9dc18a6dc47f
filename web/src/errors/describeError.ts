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

/** Values a message may name, already formatted for the reader (an amount with its token, say). */
export interface ErrorContext {
  amount?: string;
}

/**
 * Any failure of the checkout (the wallet, the chain, this site's server) as one sentence a payer understands and
 * can act on: a declined request, a custom contract error by name, a refusal from the server in its own words.
 */
export function describeError(t: TFunction, error: unknown, context: ErrorContext = {}): string {
  if (error instanceof PayerFacingError) return error.message;
  if (error instanceof ApiError) {
    if (error.code === "NetworkError") return t("errors.network");
    if (error.status === 401) return t("errors.notSignedIn");
    return t("errors.server", { message: error.message });
  }
  if (error instanceof BaseError) {
    if (
      error.walk((cause) => cause instanceof UserRejectedRequestError || (cause as { code?: number }).code === 4001)
    ) {
      return t("errors.rejected");
    }
    if (error.walk((cause) => cause instanceof InsufficientFundsError)) return t("errors.insufficientFunds");
    const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      if (name && CONTRACT_ERRORS.has(name)) return t(`errors.${name}`, { amount: context.amount ?? "" });
      return t("errors.reverted", { reason: reverted.reason ?? reverted.shortMessage });
    }
    return t("errors.unknown", { message: error.shortMessage });
  }
  return t("errors.unknown", { message: error instanceof Error ? error.message : String(error) });
}
