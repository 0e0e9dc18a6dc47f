import type { FastifyBaseLogger } from "fastify";
import { ChainAccess } from "../chain/ChainAccess.js";
import type { Services } from "../domain/Services.js";
import { GasWalletMonitor } from "./GasWalletMonitor.js";
import { GasWalletSenders } from "./GasWalletSenders.js";
import { HintWatcher } from "./HintWatcher.js";
import { Indexer } from "./Indexer.js";
import { Keeper } from "./Keeper.js";
import { Reminders } from "./Reminders.js";
import { RequestExecutor } from "./RequestExecutor.js";
import { runLoop, type WorkerTask } from "./runLoop.js";
import { WebhookDispatcher } from "./WebhookDispatcher.js";

/** A running worker: stop it with `stop()`, which resolves once every loop has finished its current step. */
export interface RunningWorker {
  stop(): Promise<void>;
}

/**
 * Starts the worker's loops: per chain an indexer, a request executor, a hint watcher, a keeper, reminders, a gas wallet
 * monitor and the transaction journal; and one webhook dispatcher. Several workers (processes) may run against one PostgreSQL:
 * work is claimed, never shared.
 */
export async function startWorker(services: Services, log: FastifyBaseLogger): Promise<RunningWorker> {
  const { worker } = services.config;
  const controller = new AbortController();
  const loops: Promise<void>[] = [];
  const run = (task: WorkerTask, idleMs = worker.pollMs) =>
    loops.push(runLoop(task, { idleMs, signal: controller.signal, log }));

  run(new WebhookDispatcher(services, worker.webhooks));
  for (const config of services.config.chains.chains) {
    const chain = new ChainAccess(config, services.chainClock(config.chainId));
    const wallets = new GasWalletSenders(services, chain, log);
    await wallets.refresh().catch((error: unknown) => log.warn({ err: error }, "could not load gas wallets yet"));
    run(
      {
        name: `gas-wallet-keys:${config.name}`,
        step: async () => {
          await wallets.refresh();
          for (const sender of wallets.senders.values()) await sender.resumeJournal();
          return false;
        },
      },
      15_000,
    );
    run(new Indexer(services, chain, { leaseSeconds: worker.leaseSeconds }));
    run(new RequestExecutor(services, chain, wallets, worker.leaseSeconds));
    run(new HintWatcher(services, chain));
    run(
      new Keeper(services, chain, wallets.senders, {
        claimSize: worker.batchSize * 2,
        batchSize: worker.batchSize,
        retryLadder: worker.retryLadder,
        leaseSeconds: worker.leaseSeconds,
        log,
      }),
    );
    run(new Reminders(services, chain, worker.reminderLeadSeconds));
    run(
      {
        name: `gas-wallets:${config.name}`,
        step: () =>
          new GasWalletMonitor(services, chain, [...wallets.senders.keys()], worker.lowGasBalanceWei, log).step(),
      },
      30_000,
    );
  }
  log.info({ chains: services.config.chains.chains.map((chain) => chain.name) }, "Recur worker started");
  return {
    async stop() {
      controller.abort();
      await Promise.all(loops);
    },
  };
}
