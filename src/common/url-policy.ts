/**
 * Where outbound calls may go (SSRF policy), shared by every part that calls a URL a request
 * named: model connectors (OpenAI-compatible LLMs, embeddings, rerankers, ML Commons connectors)
 * and anything else built on them. Only http and https; the host is resolved and every address it
 * resolves to must be public, unless `outbound.allowedHosts` lists the host, the address or a CIDR
 * range holding it: loopback (127/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7),
 * link-local and cloud metadata (169.254/16, fe80::/10), "this network" (0/8, ::) and CGNAT
 * (100.64/10) are refused otherwise.
 *
 * The check before a call gives the clear 400; `outboundDispatcher()` applies the same rule again to
 * the addresses each connection really goes to, so a host that resolves to a public address for
 * the check and to a private one for the call (DNS rebinding) is still refused.
 *
 * The policy is process-wide: the server sets it from its config at start (`configureOutbound`).
 * Recommendation datasources have a stricter list of their own (`recommend.allowedEndpoints`).
 */
import dns from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent } from "undici";
import { LodestoneError } from "./errors.ts";

const REFUSED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
] as const)
  REFUSED.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
] as const)
  REFUSED.addSubnet(net, bits, "ipv6");

let allowedHosts: readonly string[] = [];

/** Sets the hosts, addresses and CIDR ranges outbound calls may reach despite the ranges above. */
export function configureOutbound(allowed: readonly string[]): void {
  allowedHosts = [...allowed];
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`), else the address itself. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

/** Whether an IP address is in a refused (non-public) range. */
export function isNonPublicAddress(address: string): boolean {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) return false;
  return REFUSED.check(ip, family === 4 ? "ipv4" : "ipv6");
}

function inAllowList(hostOrIp: string, allowed: readonly string[]): boolean {
  const value = unmapped(hostOrIp.toLowerCase());
  const family = isIP(value);
  for (const entry of allowed) {
    const e = entry.trim().toLowerCase();
    if (e === value) return true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(e);
    if (cidr && family !== 0 && isIP(cidr[1] as string) === family) {
      const list = new BlockList();
      list.addSubnet(cidr[1] as string, Number(cidr[2]), family === 4 ? "ipv4" : "ipv6");
      if (list.check(value, family === 4 ? "ipv4" : "ipv6")) return true;
    }
  }
  return false;
}

const refuse = (field: string, message: string) => new LodestoneError(400, "url_not_allowed", message, field);

/**
 * Checks a URL an outbound call is about to use; resolves to the parsed URL or throws a 400 naming
 * `field`. Resolution failures are left to the call itself (it reports the unreachable host).
 */
export async function checkOutboundUrl(
  raw: string | URL,
  field: string,
  allowed: readonly string[] = allowedHosts,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(field, `${field} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw refuse(field, `${field} must be an http:// or https:// URL, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (inAllowList(host, allowed)) return url;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return url;
    }
  }
  for (const address of addresses) {
    if (isNonPublicAddress(address) && !inAllowList(address, allowed)) {
      const what = address === host ? host : `${host} (${address})`;
      throw refuse(
        field,
        `${field} points at ${what}, a loopback, private or link-local address; outbound calls reach such addresses only when the config's outbound.allowedHosts lists the host, the address or its range`,
      );
    }
  }
  return url;
}

/** The addresses of a lookup answer, whichever form (`all` or not) the caller asked for. */
function addressesOf(answer: string | dns.LookupAddress[]): string[] {
  return typeof answer === "string" ? [answer] : answer.map((a) => a.address);
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address?: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A DNS lookup for outbound connections that fails when the host resolves to a refused address. */
const policyLookup: LookupFunction = (hostname, options, callback) => {
  const done = callback as unknown as LookupCallback;
  dns.lookup(hostname, { ...options, verbatim: true }, (err, answer, family) => {
    if (err || inAllowList(hostname, allowedHosts)) return done(err, answer, family);
    const refused = addressesOf(answer).find((a) => isNonPublicAddress(a) && !inAllowList(a, allowedHosts));
    if (refused === undefined) return done(null, answer, family);
    done(
      Object.assign(
        new Error(
          `${hostname} resolved to ${refused}, a loopback, private or link-local address, when connecting; outbound.allowedHosts must list it`,
        ),
        { code: "EADDRNOTALLOWED" },
      ),
    );
  });
};

let dispatcher: Agent | undefined;

/** The fetch dispatcher of outbound calls: connections only to addresses the policy allows. */
export function outboundDispatcher(): Agent {
  dispatcher ??= new Agent({ connect: { lookup: policyLookup } });
  return dispatcher;
}
