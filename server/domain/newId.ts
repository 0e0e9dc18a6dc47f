import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * A random identifier `<prefix>_<base62>`. With the default 22 characters (131 bits) an id is unguessable, so ids
 * that grant access by themselves (checkout sessions) are safe to hand out.
 */
export function newId(prefix: string, length = 22): string {
  // rejection sampling keeps every character equally likely
  let id = "";
  while (id.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && id.length < length) id += ALPHABET[byte % 62];
    }
  }
  return `${prefix}_${id}`;
}
