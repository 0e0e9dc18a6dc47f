import { messages as pgliteMessages } from "@electric-sql/pglite";
import pg from "pg";
import {
  ContractFunctionRevertedError,
  HttpRequestError,
  InternalRpcError,
  LimitExceededRpcError,
  NonceTooLowError,
  ResourceUnavailableRpcError,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from "viem";
import { NonRetryableError } from "./NonRetryableError.js";
import { RetryableError } from "./RetryableError.js";

/** viem's errors for a request that did not get an answer, or whose node was busy or briefly failing. */
const TRANSIENT_VIEM_ERRORS = [
  HttpRequestError,
  TimeoutError,
  WebSocketRequestError,
  SocketClosedError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  InternalRpcError,
  // a nonce race: another transaction of the same wallet took it first
  NonceTooLowError,
];

/** JSON-RPC error codes of a node that is briefly failing (internal error) or limiting requests. */
const TRANSIENT_RPC_CODES = new Set([-32603, -32005]);

/**
 * SQLSTATE codes worth trying again: the transaction lost a race (serialization failure, deadlock, lock not
 * available), the server is shutting down, starting or short of connections, or the statement was cancelled
 * (a statement timeout). Every other code (integrity `23…`, data `22…`, syntax and access `42…`, ...) fails the
 * same way again. Class `08` (connection exceptions) is retryable as a whole.
 */
const TRANSIENT_SQLSTATES = new Set(["40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"]);

/** Node's and undici's codes for a connection that failed, dropped or timed out. */
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * Whether work that failed with `error` is worth trying again as is, decided by the error's class (and, for a
 * PostgreSQL error, its SQLSTATE; for a JSON-RPC error, its code), never by its message:
 *
 * - our own errors say so themselves: {@link RetryableError} yes, {@link NonRetryableError} no;
 * - a contract revert no, whatever wraps it;
 * - viem's transport failures, timeouts, busy or failing nodes and nonce races yes;
 * - PostgreSQL (a server or PGlite) by SQLSTATE: lost races, shutdowns, connection trouble yes; integrity, data and
 *   syntax errors no;
 * - a connection Node or undici could not make or keep (`ECONNREFUSED`, `ECONNRESET`, ...) yes;
 * - anything else no.
 *
 * The error's whole `cause` chain is looked at, so a wrapped error (drizzle's query error around the driver's, viem's
 * call error around the transport's) is classified by what caused it.
 */
export function isRetryable(error: unknown): boolean {
  const chain = causes(error);
  const own = chain.find((e) => e instanceof RetryableError || e instanceof NonRetryableError);
  if (own) return own instanceof RetryableError;
  if (chain.some((e) => e instanceof ContractFunctionRevertedError)) return false;
  if (chain.some((e) => TRANSIENT_VIEM_ERRORS.some((type) => e instanceof type))) return true;
  const rpc = chain.find((e): e is RpcRequestError => e instanceof RpcRequestError);
  if (rpc) return TRANSIENT_RPC_CODES.has(rpc.code);
  const database = chain.find(
    (e): e is pg.DatabaseError | pgliteMessages.DatabaseError =>
      e instanceof pg.DatabaseError || e instanceof pgliteMessages.DatabaseError,
  );
  if (database) return isTransientSqlState(database.code);
  return chain.some((e) => {
    const code = (e as NodeJS.ErrnoException).code;
    return typeof code === "string" && TRANSIENT_SYSTEM_CODES.has(code);
  });
}

function isTransientSqlState(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith("08") || TRANSIENT_SQLSTATES.has(code));
}

/** `error` and the errors it was caused by, outermost first (a bounded walk: a cause chain may loop). */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && chain.length < 20 && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
}
