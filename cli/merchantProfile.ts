import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/**
 * What a merchant's tools need to call the API: where it is and the merchant's key and secret. `merchant create`
 * and the local stack write it; the command line reads it, so nobody pastes the secret into every command.
 */
export const merchantProfileSchema = z.object({
  apiUrl: z.url({ message: "apiUrl must be the http(s) URL of the Recur API" }),
  merchantId: z.string().min(1),
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
});
export type MerchantProfile = z.infer<typeof merchantProfileSchema>;

/** A profile file that is missing, unreadable or malformed; the message says which and what to do. */
export class ProfileError extends Error {
  override name = "ProfileError";
}

/** Reads the profile at `file`, or `undefined` when there is none. */
export async function readMerchantProfile(file: string): Promise<MerchantProfile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ProfileError(`cannot read the profile ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProfileError(`the profile ${file} is not JSON: fix it or remove it`);
  }
  const parsed = merchantProfileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new ProfileError(`the profile ${file} is malformed (${problems}): fix it or remove it`);
  }
  return parsed.data;
}

/**
 * Writes `profile` to `file`, readable by its owner only (it holds the API secret). The file is written beside and
 * renamed into place, so a reader never sees half a profile.
 */
export async function writeMerchantProfile(file: string, profile: MerchantProfile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
  // the mode given to writeFile is masked by the umask; the secret must not be group- or world-readable regardless
  await chmod(partial, 0o600);
  await rename(partial, file);
}
