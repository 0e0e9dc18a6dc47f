import { z } from "zod";
import { CHARGE_STATUSES } from "../db/schema.js";
import { checksummedAddress, isoTime, money, page, statusList } from "./common.js";

/** One period's charge of a subscription. */
export const chargeResource = z
  .object({
    id: z.string(),
    contractAddress: checksummedAddress,
    periodIndex: z.number().int().describe("1 for the first charge"),
    amount: money,
    chargeDate: isoTime,
    status: z.enum(CHARGE_STATUSES),
    txHash: z.string().nullable(),
  })
  .meta({ id: "Charge" });
export type ChargeResource = z.infer<typeof chargeResource>;

export const chargeList = z.object({ charges: z.array(chargeResource) });

export const listChargesQuery = z.strictObject({
  ...page,
  contractAddress: z.string().max(64).optional(),
  statusIn: statusList(CHARGE_STATUSES, { max: 64, noun: "charge status" }),
});
