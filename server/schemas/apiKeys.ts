import { z } from "zod";

/** An API key as the merchant sees it: never its secret. */
export const apiKeySummary = z
  .object({
    apiKey: z.string(),
    status: z
      .enum(["Active", "Expiring", "Expired", "Revoked"])
      .describe("Active: current; Expiring: rotated away, works until expiresAt; Expired; Revoked"),
    createdAt: z.string(),
    expiresAt: z.string().nullable().describe("When a rotated-away key stops working"),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe("The last request it authenticated, to within a minute"),
    signsThisRequest: z.boolean().describe("The key this request was made with (a key cannot revoke itself)"),
  })
  .meta({ id: "ApiKey" });
export type ApiKeyView = z.infer<typeof apiKeySummary>;

export const apiKeyList = z.object({ apiKeys: z.array(apiKeySummary) });

/** A new key with its secret, shown only in this answer. */
export const issuedApiKey = z.object({ apiKey: z.string(), apiSecret: z.string() });

export const apiKeyParams = z.strictObject({ apiKey: z.string().min(1).max(64) });
