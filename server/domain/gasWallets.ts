import { and, eq } from "drizzle-orm";
import type { Address } from "viem";
import type { Queryable } from "../db/openDatabase.js";
import { gasWallets, merchantChains } from "../db/schema.js";
import type { Services } from "./Services.js";

/** A merchant's gas wallet on one chain, as the worker last saw it. */
export interface GasWalletState {
  chainId: number;
  /** The chain's name, or its id for a chain no longer in the registry. */
  blockchain: string;
  address: Address;
  payoutAddress: Address;
  /** Native balance in wei, as last read; null until first read. */
  balance: bigint | null;
  low: boolean;
  checkedAt: Date | null;
  /** Whether this deployment holds its key, so it can send from it. */
  keyConfigured: boolean;
}

/** The merchant's gas wallet on each chain it is configured for. */
export async function listGasWallets(tx: Queryable, services: Services, merchantId: string): Promise<GasWalletState[]> {
  const rows = await tx
    .select({ settings: merchantChains, wallet: gasWallets })
    .from(merchantChains)
    .leftJoin(
      gasWallets,
      and(eq(gasWallets.chainId, merchantChains.chainId), eq(gasWallets.address, merchantChains.gasWalletAddress)),
    )
    .where(eq(merchantChains.merchantId, merchantId));
  return rows.map(({ settings, wallet }) => ({
    chainId: settings.chainId,
    blockchain: services.config.chains.chainById(settings.chainId)?.name ?? String(settings.chainId),
    address: settings.gasWalletAddress,
    payoutAddress: settings.payoutAddress,
    balance: wallet?.balance ?? null,
    low: wallet?.low ?? false,
    checkedAt: wallet?.checkedAt ?? null,
    keyConfigured: settings.gasWalletKey !== null,
  }));
}
