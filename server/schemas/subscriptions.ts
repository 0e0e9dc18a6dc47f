import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "../db/schema.js";
import { APPROVAL_PERIODS } from "../domain/suggestedAllowance.js";
import { chargeResource } from "./charges.js";
import {
  accountAddress,
  address,
  bytes32,
  checksummedAddress,
  customerId,
  freeText,
  isoDateTime,
  isoTime,
  limit,
  money,
  offset,
  statusList,
  text,
  uint256,
} from "./common.js";

/** A subscription as the API shows it and webhooks carry it (SmartyPay's shape, with its terms). */
export const subscriptionResource = z
  .object({
    contractAddress: checksummedAddress.describe("The subscription contract's address (known before it is deployed)"),
    planId: z.string(),
    amount: money,
    asset: z.string(),
    blockchain: z.string(),
    customerId: z.string(),
    payer: checksummedAddress,
    payee: checksummedAddress,
    periodSeconds: z.number().int(),
    maxPeriods: z.number().int(),
    periodsCharged: z.number().int(),
    startFrom: isoTime
      .nullable()
      .describe(
        "When the first period starts. Later than activation: a free trial until then. For a subscription that " +
          "starts at activation (its terms' startAt is 0): null until it is activated, then the activation's time",
      ),
    activateBy: isoTime.describe("After this the draft can no longer be activated"),
    nextChargeAt: isoTime.nullable(),
    createdAt: isoTime,
    metadata: z.string().nullable(),
    status: z.enum(SUBSCRIPTION_STATUSES),
    statusReason: z.string().nullable(),
    allowance: money.nullable().describe("The payer's allowance for the contract as last read from the chain"),
  })
  .meta({ id: "Subscription" });
export type SubscriptionResource = z.infer<typeof subscriptionResource>;

/** What a wallet needs to authorise a draft: which token to approve, for whom, how much, and how. */
export const approvalSchema = z
  .object({
    chainId: z.number().int(),
    blockchain: z.string(),
    factory: checksummedAddress,
    token: checksummedAddress.describe("The ERC-20 to approve"),
    tokenCode: z.string(),
    decimals: z.number().int(),
    spender: checksummedAddress.describe("Approve (or permit) this address: the subscription's contract"),
    suggestedAllowance: z
      .string()
      .describe(`Base units: amount x min(maxPeriods, ${APPROVAL_PERIODS}), never unlimited`),
    suggestedAllowanceAmount: z.string(),
    permit: z.boolean().describe("The token takes EIP-2612 permits: sign instead of sending an approval"),
    approveZeroFirst: z.boolean().describe("Set a non-zero allowance to 0 before changing it"),
    terms: z.record(z.string(), z.string()).describe("The terms the address commits to (factory.predict)"),
  })
  .meta({ id: "Approval" });
export type Approval = z.infer<typeof approvalSchema>;

/** A new draft, with what the wallet must approve. */
export const draftResource = subscriptionResource.extend({ approval: approvalSchema }).meta({ id: "Draft" });
export type Draft = z.infer<typeof draftResource>;

/** One subscription with its charges. */
export const subscriptionWithCharges = subscriptionResource.extend({ charges: z.array(chargeResource) });
export type SubscriptionWithCharges = z.infer<typeof subscriptionWithCharges>;

export const subscriptionList = z.object({ subscriptions: z.array(subscriptionResource) });

/** The public status of a subscription. */
export const subscriptionStatusResponse = z.object({
  status: subscriptionResource.shape.status,
  allowance: z.string().nullable(),
});

export const contractAddressParams = z.strictObject({ contractAddress: text(64) });

export const createSubscriptionBody = z.strictObject({
  planId: text(64),
  customerId,
  payer: accountAddress.describe("The payer's wallet address (all lowercase, or EIP-55 checksummed)"),
  startFrom: isoDateTime
    .optional()
    .describe(
      "The first charge: more than a minute from now makes a free trial until then; none, a past time or now " +
        "charges the first period at activation",
    ),
  metadata: freeText(4_096).optional().describe("Passed back in webhooks"),
  maxPeriods: z.number().int().min(1).max(65_535).optional(),
});
/** A new draft as a client sends it. */
export type NewSubscription = z.input<typeof createSubscriptionBody>;

export const listSubscriptionsQuery = z.strictObject({
  customerId: customerId.optional(),
  payer: address.optional(),
  statusIn: statusList(SUBSCRIPTION_STATUSES, { max: 256, noun: "status", description: "Comma-separated statuses" }),
  limit,
  offset,
});

export const permitBody = z
  .strictObject({
    value: uint256.describe("Allowance granted, token base units"),
    deadline: uint256.describe("Unix seconds"),
    v: z.number().int().min(27).max(28),
    r: bytes32,
    s: bytes32,
  })
  .describe("An EIP-2612 permit the payer signed for the subscription's address");
/** An EIP-2612 permit a payer signed for a draft's address, for activation through `activateWithPermit`. */
export type PermitSignature = z.infer<typeof permitBody>;

/** Optional: a POST without a body is fine. */
export const activateBody = z.strictObject({ permit: permitBody.optional() }).nullish();

export const customerTokenBody = z.strictObject({ customerId });

export const customerToken = z.object({ token: z.string(), expiresAt: z.string() });

export const hintBody = z.strictObject({
  hash: bytes32.describe("Transaction hash"),
  blockchain: text(32).describe("Chain name"),
});

export const hintResponse = z.object({ isAccepted: z.boolean() });
