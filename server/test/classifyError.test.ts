import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InternalRpcError,
  InvalidParamsRpcError,
  LimitExceededRpcError,
  RpcRequestError,
  TimeoutError,
} from "viem";
import { subscriptionAbi } from "../../generated/abis.js";
import { isRetryable } from "../chain/classifyError.js";

describe("telling retryable chain errors from the rest", { timeout: 120_000 }, () => {
  it("retries what the network or a busy node caused", () => {
    const url = "http://127.0.0.1:1";
    const cases: unknown[] = [
      new HttpRequestError({ url, status: 502 }),
      new TimeoutError({ body: {}, url }),
      new LimitExceededRpcError(new Error("rate limited")),
      new InternalRpcError(new Error("internal")),
      new BaseError("wrapped", { cause: new HttpRequestError({ url }) }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" }),
      new Error("fetch failed"),
      new RpcRequestError({ body: {}, url, error: { code: -32005, message: "limit exceeded" } }),
    ];
    for (const error of cases) assert.equal(isRetryable(error), true, String(error));
  });

  it("does not retry a revert or bad input, which would fail the same way again", () => {
    const cases: unknown[] = [
      new ContractFunctionRevertedError({
        abi: subscriptionAbi,
        functionName: "charge",
        data: "0x1d61e8ee0000000000000000000000000000000000000000000000000000000000000002",
      }),
      new BaseError("simulation failed", {
        cause: new ContractFunctionRevertedError({
          abi: subscriptionAbi,
          functionName: "charge",
          message: "reverted",
        }),
      }),
      new InvalidParamsRpcError(new Error("invalid params")),
      new RpcRequestError({ body: {}, url: "http://x", error: { code: -32602, message: "invalid argument" } }),
      new Error("the gas wallet key variable X is not set"),
      "a string",
    ];
    for (const error of cases) assert.equal(isRetryable(error), false, String(error));
  });
});
