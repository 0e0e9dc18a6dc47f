import { z } from "zod";

/**
 * A setting that lists web origins, comma-separated (`https://shop.example.com,https://pay.example.com`), unset for
 * none. Each must be an origin exactly (scheme, host, port; no path, no trailing slash), so it can be compared with
 * an `Origin` header as it is; a setting that is not is refused, naming `variable` and the entry at fault.
 */
export function originList(variable: string, example: string) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      const origins = (value ?? "")
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean);
      for (const origin of origins) {
        if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
          context.addIssue({
            code: "custom",
            message: `${variable} must list web origins such as ${example}, not "${origin}"`,
          });
          return z.NEVER;
        }
      }
      return origins;
    });
}
