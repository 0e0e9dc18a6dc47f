import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Encrypts secrets at rest (API secrets, gas wallet keys) with AES-256-GCM under a key derived from the
 * deployment's secret key for this purpose only.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** @param purpose Separates the keys of different uses of the same secret key. */
  constructor(secretKey: Uint8Array, purpose: string) {
    this.#key = Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), `recur:${purpose}`, 32));
  }

  /** `v1.<iv>.<ciphertext>.<tag>`, base64url. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
      .join(".");
  }

  /** Decrypts what {@link seal} produced; throws if it was altered or sealed under another key. */
  open(sealed: string): string {
    const [version, iv, ciphertext, tag] = sealed.split(".");
    if (version !== "v1" || !iv || !ciphertext || !tag) throw new Error("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  }
}
