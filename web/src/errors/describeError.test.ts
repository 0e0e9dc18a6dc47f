import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  InsufficientFundsError,
  UserRejectedRequestError,
} from "viem";
import { describe, expect, it } from "vitest";
import { subscriptionAbi, subscriptionFactoryAbi } from "../../../generated/abis";
import { ApiError } from "../api/ApiError";
import { testTranslator } from "../i18n/testTranslator";
import { describeError } from "./describeError";
import { PayerFacingError } from "./PayerFacingError";

/** A revert as viem reports a failed simulation: the custom error decoded from the real ABI, wrapped. */
function reverted(abi: typeof subscriptionAbi | typeof subscriptionFactoryAbi, errorName: string, args: unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "activate" });
  return new BaseError("The contract function reverted", { cause });
}

describe("describeError", () => {
  it("says a payer declined in their wallet, however deep the wallet's error is wrapped", async () => {
    const t = await testTranslator("en");
    const declined = new BaseError("request failed", {
      cause: new UserRejectedRequestError(new Error("User rejected the request.")),
    });
    expect(describeError(t, declined)).toBe("You declined the request in your wallet. Nothing was sent.");
  });

  it("names the contracts' custom errors in words, with the amount at stake", async () => {
    const t = await testTranslator("en");
    expect(describeError(t, reverted(subscriptionAbi, "InsufficientBalance", [1n, 2n]), { amount: "5 tUSDT" })).toBe(
      "Your balance is too small for one payment of 5 tUSDT. Add funds, then try again.",
    );
    expect(describeError(t, reverted(subscriptionAbi, "InsufficientAllowance", [0n, 5n]), { amount: "5 tUSDT" })).toBe(
      "The allowance is too small for one payment. Approve at least 5 tUSDT.",
    );
    expect(describeError(t, reverted(subscriptionFactoryAbi, "ActivationExpired", [1n, 2n]))).toBe(
      "This offer expired before it was started. Start again to get a fresh one.",
    );
    expect(describeError(t, reverted(subscriptionAbi, "TransferFailed", [`0x${"11".repeat(20)}`]))).toMatch(
      /^The token refused the transfer/,
    );
  });

  it("says a short gas balance and unknown reverts plainly", async () => {
    const t = await testTranslator("en");
    expect(describeError(t, new BaseError("send failed", { cause: new InsufficientFundsError() }))).toBe(
      "Your wallet does not have enough of the network's coin to pay for the transaction fee.",
    );
    const plain = new ContractFunctionExecutionError(
      new ContractFunctionRevertedError({ abi: subscriptionAbi, message: "boom", functionName: "charge" }),
      { abi: subscriptionAbi, functionName: "charge" },
    );
    expect(describeError(t, plain)).toBe("The transaction would fail: boom");
  });

  it("recognises a wallet's own gas shortfall by its words, and never quotes a raw RPC answer", async () => {
    const t = await testTranslator("en");
    // what a wallet answers for a payer with tokens and no ETH: not viem's class, and carrying the signed transaction
    const signed = `0x02f8${"ab".repeat(600)}`;
    const raw = new Error(
      `insufficient funds for gas * price + value: address 0x90F7 have 0 want 1064000000000000\n\nRequest Arguments:\n  data: ${signed}`,
    );
    expect(describeError(t, new BaseError("An internal error was received.", { cause: raw }))).toBe(
      "Your wallet does not have enough of the network's coin to pay for the transaction fee.",
    );
    const unknown = describeError(t, new Error(`The node is unreachable\n\nRequest Arguments:\n  data: ${signed}`));
    expect(unknown).toBe("Something went wrong: The node is unreachable");
    const long = describeError(t, new Error("x".repeat(5_000)));
    expect(long.length).toBeLessThan(200);
    expect(long.endsWith("…")).toBe(true);
  });

  it("passes the server's refusals on in its words, and says when the site is unreachable or the sign-in expired", async () => {
    const t = await testTranslator("en");
    expect(describeError(t, new ApiError(0, "NetworkError", "No answer"))).toBe(
      "The site could not be reached. Check your connection and try again.",
    );
    expect(describeError(t, new ApiError(401, "Unauthorized", "Not signed in"))).toBe(
      "Your sign-in has expired. Sign in with your wallet again.",
    );
    expect(describeError(t, new ApiError(404, "NotFound", "No active plan plan_x"))).toBe("No active plan plan_x");
  });

  it("shows a message already worded for the payer as it is", async () => {
    const t = await testTranslator("en");
    expect(describeError(t, new PayerFacingError("The subscription could not be started: allowance too low"))).toBe(
      "The subscription could not be started: allowance too low",
    );
  });

  it("speaks the payer's language", async () => {
    const ru = await testTranslator("ru");
    const declined = new BaseError("x", { cause: new UserRejectedRequestError(new Error("no")) });
    expect(describeError(ru, declined)).toBe("Вы отклонили запрос в кошельке. Ничего не отправлено.");
    const es = await testTranslator("es");
    expect(describeError(es, reverted(subscriptionAbi, "NotDue", [1n, 0n]))).toBe("El próximo pago todavía no vence.");
  });
});
