/**
 * A chain's idea of the time. Contracts judge due times and deadlines by `block.timestamp`, which on a real network
 * tracks the wall clock, but on a local chain jumps ahead when time is moved forward (tests, the demo). The clock
 * remembers how far ahead of the wall clock the chain has been seen to run (never behind: an idle local chain
 * mines no blocks, and its next one will still be on time) and adds that to the wall clock.
 */
export class ChainClock {
  #aheadMs = 0;

  /** Takes note of a block's timestamp, unix seconds. */
  observe(blockTimestamp: number | bigint): void {
    const ahead = Number(blockTimestamp) * 1000 - Date.now();
    if (ahead > this.#aheadMs) this.#aheadMs = ahead;
  }

  now(): Date {
    return new Date(Date.now() + this.#aheadMs);
  }

  /** Unix seconds. */
  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
