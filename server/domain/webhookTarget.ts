import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

/** Resolves a host name to its IP addresses (every one of them): the system resolver, or a test's. */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** How long a host may take to resolve before the webhook URL counts as unresolvable. */
const RESOLVE_TIMEOUT_MS = 5_000;

/** The system's resolver (`getaddrinfo`, as `fetch` and `http.request` use), every address, bounded in time. */
export const systemResolver: HostResolver = async (hostname) => {
  const answers = await Promise.race([
    lookup(hostname, { all: true, verbatim: true }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`resolving ${hostname} timed out`)), RESOLVE_TIMEOUT_MS).unref(),
    ),
  ]);
  return answers.map((answer) => answer.address);
};

/** A webhook URL that may not be delivered to; the message says why, for the merchant. */
export class WebhookTargetError extends Error {
  override name = "WebhookTargetError";

  constructor(
    message: string,
    /** `private`: the target is (or resolves to) a non-public address; `unresolvable`: the host has no address. */
    readonly reason: "private" | "unresolvable" | "malformed",
  ) {
    super(message);
  }
}

/** A webhook URL that passed the checks, with the addresses the delivery may connect to (and no others). */
export interface VettedTarget {
  url: URL;
  /** The host as `http.request` takes it: a name, or an IP literal without brackets. */
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
}

// every IPv6 address outside 2000::/3 is unallocated or special, whatever name a library gives its range
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * The kind of address `ip` is: `public` for a globally routable unicast address, otherwise the special range it
 * belongs to (`loopback`, `private`, `linkLocal`, `uniqueLocal`, `carrierGradeNat`, `reserved`, ...), as ipaddr.js
 * classifies it. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the IPv4 address it maps to.
 */
export function classifyAddress(ip: string): string {
  const address = ipaddr.process(ip);
  const range = address.range();
  if (range !== "unicast") return range;
  if (address.kind() === "ipv6" && !(address as ipaddr.IPv6).match(GLOBAL_UNICAST_V6)) return "reserved";
  return "public";
}

/**
 * Checks a webhook URL before it is stored and before every delivery: http(s) only, and a host that is, or
 * resolves only to, public addresses (unless `allowPrivate`, for local development). Host forms such as
 * `2130706433`, `0x7f.0.0.1` or `127.1` are read as the WHATWG URL parser (and so `http.request`) reads them.
 * Returns the addresses a delivery must connect to, so a name cannot resolve differently between the check and
 * the connection (DNS rebinding). Throws a {@link WebhookTargetError}.
 */
export async function vetWebhookTarget(
  url: string,
  options: { allowPrivate: boolean; resolve: HostResolver },
): Promise<VettedTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetError("must be an http(s) URL", "malformed");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new WebhookTargetError("must be an http(s) URL", "malformed");
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  const literal = ipaddr.isValid(host);
  let ips: string[];
  if (literal) {
    ips = [host];
  } else {
    try {
      ips = await options.resolve(host);
    } catch {
      ips = [];
    }
    if (ips.length === 0) {
      throw new WebhookTargetError(`its host ${host} does not resolve: check the URL`, "unresolvable");
    }
  }
  const addresses: VettedTarget["addresses"] = [];
  for (const ip of ips) {
    if (!ipaddr.isValid(ip)) {
      throw new WebhookTargetError(`its host ${host} does not resolve: check the URL`, "unresolvable");
    }
    const kind = classifyAddress(ip);
    if (kind !== "public" && !options.allowPrivate) {
      // a literal is the merchant's own input; what a name resolves to stays unsaid (it may be an internal name)
      throw new WebhookTargetError(
        literal
          ? `its host ${parsed.hostname} is a ${kind} address: webhooks go to public addresses only`
          : `its host ${host} resolves to a private or reserved address: webhooks go to public addresses only`,
        "private",
      );
    }
    addresses.push({ address: ip, family: ipaddr.parse(ip).kind() === "ipv6" ? 6 : 4 });
  }
  return { url: parsed, host, addresses };
}
