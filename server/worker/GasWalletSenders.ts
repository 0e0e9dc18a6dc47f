import { and, eq, isNotNull } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import { type Address, getAddress } from "viem";
import type { ChainAccess } from "../chain/ChainAccess.js";
import { merchantChains } from "../db/schema.js";
import type { Services } from "../domain/Services.js";
import { loadGasWalletKey } from "./gasWalletKeys.js";
import { TransactionSender } from "./TransactionSender.js";

/**
 * The gas wallets this worker can send from on one chain, by address: every merchant chain setting that names a key
 * source, loaded and checked against its address. Refreshed as merchants are added or change wallets; a key that
 * cannot be loaded is reported (never its value) and skipped.
 */
export class GasWalletSenders {
  readonly #senders = new Map<Address, TransactionSender>();
  readonly #sources = new Map<Address, string>();

  constructor(
    readonly services: Services,
    readonly chain: ChainAccess,
    readonly log: FastifyBaseLogger,
  ) {}

  /** The current senders, by gas wallet address. */
  get senders(): ReadonlyMap<Address, TransactionSender> {
    return this.#senders;
  }

  /**
   * The sender for `address`, looking at the merchants' settings again when it is not loaded yet: a wallet a merchant
   * set a moment ago is used at once rather than after the next periodic refresh.
   */
  async sender(address: Address): Promise<TransactionSender | undefined> {
    const loaded = this.#senders.get(address);
    if (loaded) return loaded;
    await this.refresh();
    return this.#senders.get(address);
  }

  async refresh(): Promise<void> {
    const rows = await this.services.db
      .select()
      .from(merchantChains)
      .where(and(eq(merchantChains.chainId, this.chain.config.chainId), isNotNull(merchantChains.gasWalletKey)));
    for (const row of rows) {
      const address = getAddress(row.gasWalletAddress);
      const source = row.gasWalletKey ?? "";
      if (this.#sources.get(address) === source) continue;
      try {
        const account = await loadGasWalletKey(source, address, this.services.config);
        this.#senders.set(
          address,
          new TransactionSender(this.services, this.chain, account, { maxFeePerGas: this.chain.config.maxFeePerGas }),
        );
        this.#sources.set(address, source);
        this.log.info({ chain: this.chain.config.name, gasWallet: address }, "gas wallet ready");
      } catch (error) {
        this.#sources.set(address, source);
        this.log.error(
          { chain: this.chain.config.name, gasWallet: address, reason: (error as Error).message },
          "gas wallet unavailable",
        );
      }
    }
  }
}
