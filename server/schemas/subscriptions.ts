import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "../db/schema.js";
import { APPROVAL_PERIODS } from "../domain/suggestedAllowance.js";
import { permitKind } from "./chains.js";
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
    permit: z.boolean().describe("The token takes a permit (of the kind permitKind names): sign instead of approving"),
    permitKind,
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

/** The longest permit signature taken, bytes: room for an ERC-6492-wrapped smart-account signature. */
export const MAX_PERMIT_SIGNATURE_BYTES = 2_048;

/** A signature as 0x-prefixed hex bytes, 1 to {@link MAX_PERMIT_SIGNATURE_BYTES} long. */
const signatureBytes = z
  .string()
  .max(2 + 2 * MAX_PERMIT_SIGNATURE_BYTES, {
    message: `must be at most ${MAX_PERMIT_SIGNATURE_BYTES.toLocaleString("en")} bytes (${(2 * MAX_PERMIT_SIGNATURE_BYTES).toLocaleString("en")} hex characters after 0x)`,
  })
  .regex(/^0x(?:[0-9a-fA-F]{2})+$/, { message: "must be 0x and an even, non-zero number of hex characters" });

/** A missing field of the form without `kind`, whose caller may have meant another form: say how to give it. */
const requiredUnlessAnotherKind = (otherForm: string) => (issue: { input: unknown }) =>
  issue.input === undefined
    ? `required: {value, deadline, v, r, s} without kind is an EIP-2612 permit; ${otherForm}`
    : undefined;

/** EIP-2612's permit, its signature split in `v`, `r` and `s`: the original form, `kind` optional. */
const eip2612Permit = z
  .strictObject({
    kind: z.literal("eip2612").optional().describe("Optional for this form: the form without `kind` is this one"),
    // uint256, with a message for the caller who meant a DAI permit
    value: z
      .string({ error: requiredUnlessAnotherKind('a DAI permit is {kind: "dai", nonce, expiry, v, r, s}') })
      .regex(/^\d{1,78}$/, { message: "must be a decimal integer string" })
      .describe("Allowance granted, token base units"),
    deadline: uint256.describe("Unix seconds"),
    v: z
      .number({
        error: requiredUnlessAnotherKind('a bytes signature is {kind: "eip2612-bytes", value, deadline, signature}'),
      })
      .int()
      .min(27)
      .max(28),
    r: bytes32,
    s: bytes32,
  })
  .describe("An EIP-2612 permit signed by an EOA, for `activateWithPermit`");

/** EIP-2612's permit with the signature as bytes, for tokens whose permitKind is `eip2612-bytes`. */
const eip2612BytesPermit = z
  .strictObject({
    kind: z.literal("eip2612-bytes"),
    value: uint256.describe("Allowance granted, token base units"),
    deadline: uint256.describe("Unix seconds"),
    signature: signatureBytes.describe(
      "The payer's signature over the EIP-2612 Permit: 65 bytes from an EOA, whatever its account's ERC-1271 " +
        "check takes from a smart account, ERC-6492-wrapped when that account is not deployed yet",
    ),
  })
  .describe("An EIP-2612 permit signed as bytes (EOA or smart account), for `activateWithPermitSignature`");

/** DAI's permit, for tokens whose permitKind is `dai`; always signed with `allowed: true`. */
const daiPermit = z
  .strictObject({
    kind: z.literal("dai"),
    nonce: uint256.describe("The payer's permit nonce on the token, as signed"),
    expiry: uint256.describe("Unix seconds; 0 for none"),
    v: z.number().int().min(27).max(28),
    r: bytes32,
    s: bytes32,
  })
  .describe("A DAI permit (allowed: true, an unlimited allowance) signed by an EOA, for `activateWithDaiPermit`");

export const permitBody = z
  .discriminatedUnion("kind", [eip2612Permit, eip2612BytesPermit, daiPermit], {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `kind must be "eip2612-bytes", "dai", or "eip2612" (or left out) for {value, deadline, v, r, s}`
        : undefined,
  })
  .describe("A permit the payer signed for the subscription's address, of the kind the token takes (permitKind)");
/**
 * A permit a payer signed for a draft's address. Stored as given: a request recorded before `kind` existed has
 * none, and is an `eip2612` permit.
 */
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
