import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { sql } from "drizzle-orm";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  HttpRequestError,
  http,
  InternalRpcError,
  InvalidParamsRpcError,
  LimitExceededRpcError,
  NonceTooLowError,
  RpcRequestError,
  TimeoutError,
} from "viem";
import { subscriptionAbi } from "../../generated/abis.js";
import { freePort } from "../../stack/freePort.js";
import { hookTimeouts } from "../../test/support/hookTimeouts.js";
import { openTestDatabase, testEngine } from "../../test/support/openTestDatabase.js";
import { startLoopbackServer } from "../../test/support/startLoopbackServer.js";
import { isRetryable } from "../chain/classifyError.js";
import { NonRetryableError } from "../chain/NonRetryableError.js";
import { RetryableError } from "../chain/RetryableError.js";
import type { OpenDatabase } from "../db/openDatabase.js";
import { GasWalletKeyError } from "../worker/gasWalletKeys.js";
import {
  GasPriceTooHighError,
  TransactionNotMinedError,
  TransactionWouldFailError,
} from "../worker/TransactionSender.js";

/** What a connection to a port nobody listens on fails with, from Node itself. */
async function refusedConnection(): Promise<Error> {
  const port = await freePort();
  return new Promise((resolve) => connect(port, "127.0.0.1").once("error", resolve));
}

describe("telling retryable chain errors from the rest", { timeout: 120_000 }, () => {
  it("retries what the network or a busy node caused", async () => {
    const url = "http://127.0.0.1:1";
    const cases: unknown[] = [
      new HttpRequestError({ url, status: 502 }),
      new TimeoutError({ body: {}, url }),
      new LimitExceededRpcError(new Error("rate limited")),
      new InternalRpcError(new Error("internal")),
      new BaseError("wrapped", { cause: new HttpRequestError({ url }) }),
      await refusedConnection(),
      // undici's own error for a refused connection: "fetch failed", caused by ECONNREFUSED
      await fetch(`http://127.0.0.1:${await freePort()}/`).catch((error: unknown) => error),
      new RpcRequestError({ body: {}, url, error: { code: -32005, message: "limit exceeded" } }),
      // another transaction of the same wallet took the nonce first
      new NonceTooLowError({ nonce: 7 }),
    ];
    for (const error of cases) assert.equal(isRetryable(error), true, String(error));
  });

  it("retries a real request to a node that is down or does not answer in time", async () => {
    const silent = await startLoopbackServer(() => {
      // never answers: the client's timeout decides
    });
    try {
      const slow = createPublicClient({ transport: http(silent.origin, { timeout: 200, retryCount: 0 }) });
      const timedOut = await slow.getBlockNumber().catch((error: unknown) => error);
      assert.ok(timedOut instanceof BaseError && timedOut.walk((e) => e instanceof TimeoutError), String(timedOut));
      assert.equal(isRetryable(timedOut), true);

      const down = createPublicClient({ transport: http(`http://127.0.0.1:${await freePort()}`, { retryCount: 0 }) });
      const refused = await down.getBlockNumber().catch((error: unknown) => error);
      assert.ok(refused instanceof BaseError && refused.walk((e) => e instanceof HttpRequestError), String(refused));
      assert.equal(isRetryable(refused), true);
    } finally {
      await silent.close();
    }
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

  it("decides by the error's class, never by words in its message", () => {
    const cases: unknown[] = [
      new Error("fetch failed"),
      new Error("socket hang up: network timed out"),
      new BaseError("the request timed out on the network"),
    ];
    for (const error of cases) assert.equal(isRetryable(error), false, String(error));
  });
});

describe("the worker's own errors say whether they are retryable", { timeout: 120_000 }, () => {
  it("retries a gas price above the cap and a transaction not mined yet, which pass later", () => {
    const cases: unknown[] = [
      new GasPriceTooHighError("gas on localhost costs 9 wei, above the cap of 1: waiting"),
      new TransactionNotMinedError("transaction 0x01 was not mined within 120 s"),
      new RetryableError("block 7 has no hash yet"),
    ];
    for (const error of cases) assert.equal(isRetryable(error), true, String(error));
  });

  it("does not retry a transaction the node says would fail, or a gas wallet key that cannot be loaded", () => {
    const cases: unknown[] = [
      new TransactionWouldFailError("the node says this charge transaction would fail"),
      new GasWalletKeyError("the gas wallet key variable X is not set"),
      new NonRetryableError("no"),
    ];
    for (const error of cases) assert.equal(isRetryable(error), false, String(error));
  });

  it("lets our own class decide over what it wraps", () => {
    const url = "http://127.0.0.1:1";
    const revert = new ContractFunctionRevertedError({ abi: subscriptionAbi, functionName: "charge", message: "x" });
    assert.equal(isRetryable(new NonRetryableError("refused", { cause: new HttpRequestError({ url }) })), false);
    assert.equal(isRetryable(new RetryableError("later", { cause: revert })), true);
    // and is found below whatever wraps it
    assert.equal(isRetryable(new Error("step failed", { cause: new GasPriceTooHighError("waiting") })), true);
  });
});

describe(`telling retryable database errors from the rest (${testEngine})`, { timeout: 120_000 }, () => {
  let database: OpenDatabase;
  before(async () => {
    database = await openTestDatabase();
  }, hookTimeouts.starting);
  after(async () => {
    await database?.close();
  }, hookTimeouts.stopping);

  /** What the engine answers when a statement fails with SQLSTATE `code`, as drizzle hands it on. */
  async function raised(code: string): Promise<unknown> {
    const statement = `do $$ begin raise exception 'failing on purpose' using errcode = '${code}'; end $$`;
    const error = await database.db.execute(sql.raw(statement)).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(error instanceof Error, `SQLSTATE ${code} was raised`);
    // drizzle's query error, caused by the engine's own error carrying the SQLSTATE
    assert.equal((error.cause as { code?: unknown } | undefined)?.code, code);
    return error;
  }

  it("retries lost races, shutdowns and connection trouble, by SQLSTATE", async () => {
    // serialization failure, deadlock, admin shutdown, connection failure, too many connections
    for (const code of ["40001", "40P01", "57P01", "08006", "08000", "53300", "55P03"]) {
      assert.equal(isRetryable(await raised(code)), true, `SQLSTATE ${code}`);
    }
  });

  it("does not retry integrity, data or syntax errors", async () => {
    for (const code of ["23505", "23503", "22P02", "22012", "42601", "42P01", "P0001"]) {
      assert.equal(isRetryable(await raised(code)), false, `SQLSTATE ${code}`);
    }
    const { db } = database;
    await db.execute(sql`create table classified (id int primary key)`);
    await db.execute(sql`insert into classified values (1)`);
    const real = [
      await db.execute(sql`insert into classified values (1)`).catch((error: unknown) => error),
      await db.execute(sql`select 'one'::int`).catch((error: unknown) => error),
      await db.execute(sql.raw("selec 1")).catch((error: unknown) => error),
      await db.execute(sql`select 1 / 0`).catch((error: unknown) => error),
    ];
    for (const error of real) {
      assert.ok(error instanceof Error, "the statement failed");
      assert.equal(isRetryable(error), false, String(error));
    }
  });
});
