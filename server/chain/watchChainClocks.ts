import type { Services } from "../domain/Services.js";
import { ChainAccess } from "./ChainAccess.js";

/**
 * Keeps every chain's clock current in a process that runs no worker (an API-only process), reading the latest
 * block of each chain every `intervalMs` until `signal` aborts. An unreachable chain keeps its last reading.
 */
export function watchChainClocks(services: Services, signal: AbortSignal, intervalMs = 5_000): void {
  const chains = services.config.chains.chains.map(
    (config) => new ChainAccess(config, services.chainClock(config.chainId)),
  );
  const tick = () => {
    for (const chain of chains) chain.now().catch(() => {});
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}
