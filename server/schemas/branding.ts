import { z } from "zod";
import {
  accentColorProblem,
  DISPLAY_NAME_MAX,
  displayNameProblem,
  logoUrlProblem,
  supportUrlProblem,
} from "../domain/brandingRules.js";

/** A string field checked by one of the branding rules, whose problem becomes the field's message. */
const ruled = (problem: (value: string) => string | undefined, description: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message !== undefined) ctx.addIssue({ code: "custom", message });
    })
    .describe(description);

/** How a merchant's payer pages present it: the header, the accent colour, the support link. */
export const brandingResource = z
  .object({
    displayName: z.string().describe("The name payers see; the merchant's name unless one is set"),
    logoUrl: z.string().nullable().describe("An https image URL shown beside the name"),
    accentColor: z.string().nullable().describe("#rrggbb: buttons and links; white text on it has 4.5:1 contrast"),
    supportUrl: z.string().nullable().describe("An https URL or mailto: address in the page footer"),
  })
  .meta({ id: "Branding" });
export type Branding = z.infer<typeof brandingResource>;

/**
 * A change to the branding: the fields given are set, the others stay as they are, and null clears one (a cleared
 * display name is the merchant's name again). Unknown fields are refused.
 */
export const brandingBody = z.strictObject({
  displayName: ruled(displayNameProblem, `1-${DISPLAY_NAME_MAX} characters, trimmed, no control characters`)
    .transform((value) => value.trim())
    .nullable()
    .optional(),
  logoUrl: ruled(logoUrlProblem, "https only (http for a loopback host), at most 2048 characters")
    .nullable()
    .optional(),
  accentColor: ruled(accentColorProblem, "#rrggbb, dark enough for white text (contrast 4.5:1 or more)")
    .transform((value) => value.toLowerCase())
    .nullable()
    .optional(),
  supportUrl: ruled(supportUrlProblem, "An https URL or mailto: address, at most 2048 characters")
    .nullable()
    .optional(),
});
/** A branding change as a client sends it. */
export type BrandingChange = z.input<typeof brandingBody>;
/** A branding change as validated: trimmed, the colour in lower case. */
export type ValidBrandingChange = z.output<typeof brandingBody>;
