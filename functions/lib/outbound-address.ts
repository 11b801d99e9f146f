/**
 * Where the Worker may send a request an admin chose (webhook endpoints): the rules against server-side request
 * forgery, as pure functions. The host must be a public address: loopback, private (RFC 1918), shared (CGNAT,
 * RFC 6598), link-local (which holds the cloud metadata service, 169.254.169.254), unique-local IPv6 (RFC 4193,
 * which holds AWS's fd00:ec2::254) and IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64) are
 * refused, and so are the names that only mean something inside a network. Names are resolved elsewhere
 * (services/webhooks/dns.ts) and every address they resolve to goes through `isForbiddenAddress`.
 */

export type UrlRefusal = "not_https" | "credentials" | "port" | "host_name" | "address" | "malformed";

export type CheckedUrl =
  | { ok: true; url: URL; /** An IP literal needs no resolution. */ address: string | null }
  | { ok: false; reason: UrlRefusal };

/** Ports an https endpoint may use: the default and the common alternative. */
const ALLOWED_PORTS = new Set(["", "443", "8443"]);

/** Names that resolve only inside a network (RFC 6761 `localhost`, RFC 6762 `.local`, cloud `.internal`). */
function isInternalName(host: string): boolean {
  const name = host.replace(/\.$/, "").toLowerCase();
  if (!name.includes(".")) return true; // a single label is completed by the resolver's search list
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name.endsWith(".local") ||
    name.endsWith(".internal") ||
    name.endsWith(".home.arpa") ||
    name.endsWith(".in-addr.arpa") ||
    name.endsWith(".ip6.arpa")
  );
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return bytes.every((byte) => byte >= 0 && byte <= 255) ? bytes : null;
}

/** The eight 16-bit groups of an IPv6 address (with or without brackets, `::`, or a trailing dotted IPv4). */
export function parseIpv6(text: string): number[] | null {
  let body = text.replace(/^\[|\]$/g, "").toLowerCase();
  if (body.includes("%")) return null; // zone ids never belong in a URL we send to
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body);
  if (dotted) {
    const v4 = parseIpv4(dotted[1]!);
    if (!v4) return null;
    body = `${body.slice(0, -dotted[1]!.length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const values = all.map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : Number.NaN));
  return values.length === 8 && values.every((value) => !Number.isNaN(value)) ? values : null;
}

function inV4(bytes: number[], base: [number, number, number, number], prefix: number): boolean {
  const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const net = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) === (net & mask);
}

const FORBIDDEN_V4: Array<[[number, number, number, number], number]> = [
  [[0, 0, 0, 0], 8], // "this network"
  [[10, 0, 0, 0], 8], // RFC 1918
  [[100, 64, 0, 0], 10], // RFC 6598 shared address space (CGNAT)
  [[127, 0, 0, 0], 8], // loopback
  [[169, 254, 0, 0], 16], // link-local, cloud metadata (169.254.169.254)
  [[172, 16, 0, 0], 12], // RFC 1918
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 168, 0, 0], 16], // RFC 1918
  [[198, 18, 0, 0], 15], // benchmarking
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

function isLoopback(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(address);
  return v6 !== null && v6.slice(0, 7).every((group) => group === 0) && v6[7] === 1;
}

/** Whether an IPv4 or IPv6 address is one a request chosen by a tenant must never reach. Unparseable: forbidden. */
export function isForbiddenAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4) return FORBIDDEN_V4.some(([base, prefix]) => inV4(v4, base, prefix));
  const v6 = parseIpv6(address);
  if (!v6) return true;
  const [first] = v6 as [number];
  if (v6.slice(0, 6).every((group) => group === 0)) return true; // ::, ::1, IPv4-compatible ::a.b.c.d
  if (v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff) return true; // IPv4-mapped ::ffff:a.b.c.d
  if (v6[0] === 0x64 && v6[1] === 0xff9b) return true; // NAT64 64:ff9b::/96 (and the local-use /48)
  if ((first & 0xfe00) === 0xfc00) return true; // unique local fc00::/7 (AWS metadata fd00:ec2::254)
  if ((first & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((first & 0xffc0) === 0xfec0) return true; // site-local fec0::/10 (deprecated, still routed by some)
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (v6[0] === 0x2001 && v6[1] === 0x0db8) return true; // documentation
  return false;
}

/**
 * Checks an endpoint URL before anything resolves or connects: https with no credentials, on the default port,
 * 443 or 8443, and a host that is a public address or a public-looking name. With `allowLoopbackHttp`
 * (development and tests only, refused by the configuration elsewhere) a loopback address may also take plain
 * http on any port, so a receiver on the same machine can be used.
 */
export function checkEndpointUrl(text: string, options: { allowLoopbackHttp: boolean }): CheckedUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "credentials" };
  // The WHATWG parser has already turned `0x7f.1` and `2130706433` into 127.0.0.1, and IPv6 into its short form.
  const host = url.hostname;
  const literal = parseIpv4(host) ? host : host.startsWith("[") ? host.slice(1, -1) : null;
  if (options.allowLoopbackHttp && literal !== null && isLoopback(literal)) {
    return url.protocol === "http:" || url.protocol === "https:"
      ? { ok: true, url, address: literal }
      : { ok: false, reason: "not_https" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "not_https" };
  if (!ALLOWED_PORTS.has(url.port)) return { ok: false, reason: "port" };
  if (literal !== null)
    return isForbiddenAddress(literal) ? { ok: false, reason: "address" } : { ok: true, url, address: literal };
  if (isInternalName(host)) return { ok: false, reason: "host_name" };
  return { ok: true, url, address: null };
}
