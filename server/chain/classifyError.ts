import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InternalRpcError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  RpcRequestError,
  TimeoutError,
  TransactionExecutionError,
  WebSocketRequestError,
} from "viem";

/**
 * Whether an error from the chain is worth retrying as is: the network, a timeout, a node that is busy or briefly
 * failing, a nonce race. A revert, bad input or a refused transaction is not: retrying it gives the same answer.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert) return false;
    const retryable = error.walk(
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof WebSocketRequestError ||
        e instanceof LimitExceededRpcError ||
        e instanceof ResourceUnavailableRpcError ||
        e instanceof InternalRpcError,
    );
    if (retryable) return true;
    if (
      error.walk((e) => e instanceof TransactionExecutionError) &&
      /nonce too low|already known|replacement transaction underpriced/i.test(error.message)
    ) {
      return true;
    }
    const rpc = error.walk((e) => e instanceof RpcRequestError) as RpcRequestError | null;
    if (rpc) return rpc.code === -32603 || rpc.code === -32005;
  }
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT" ||
    code === "EPIPE" ||
    code === "UND_ERR_SOCKET" ||
    /fetch failed|socket hang up|network|timed? ?out/i.test(error.message)
  );
}
