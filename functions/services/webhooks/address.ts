import { checkEndpointUrl, isForbiddenAddress, type UrlRefusal } from "../../lib/outbound-address";
import type { WebhooksConfig } from "../../env";

/**
 * Whether an endpoint may be reached now: the URL rules (lib/outbound-address.ts), then, for a name, every A and
 * AAAA record it resolves to over DNS-over-HTTPS (RFC 8484's JSON form), since Workers have no DNS API. Checked at
 * registration and again before every delivery, because a name's records can change in between.
 *
 * The limit: the platform's `fetch` resolves the name once more when it connects, and gives no way to pin the
 * address checked here, so a name whose records change between the two lookups (DNS rebinding, with a very short
 * TTL) could still reach a private address. On Cloudflare's network such an address is not reachable from a
 * Worker anyway; the design notes say so.
 */
export type AddressVerdict =
  { ok: true; url: URL } | { ok: false; reason: UrlRefusal | "private_address" | "unresolvable"; permanent: boolean };

/** DNS record types (RFC 1035, RFC 3596). */
const A = 1;
const AAAA = 28;
const DNS_TIMEOUT_MS = 5_000;

interface DnsJsonAnswer {
  Status?: number;
  Answer?: Array<{ type?: number; data?: string }>;
}

/** The addresses of `name` of one type; null when the resolver could not answer (a transient failure). */
async function resolve(resolverUrl: string, name: string, type: number): Promise<string[] | null> {
  const query = new URL(resolverUrl);
  query.searchParams.set("name", name);
  query.searchParams.set("type", String(type));
  try {
    const response = await fetch(query, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(DNS_TIMEOUT_MS),
    });
    if (!response.ok) return null;
    const answer = (await response.json()) as DnsJsonAnswer;
    // NXDOMAIN (3) is an answer: the name has no addresses. Other failures (SERVFAIL…) are not.
    if (answer.Status === 3) return [];
    if (answer.Status !== 0) return null;
    return (answer.Answer ?? [])
      .filter((record) => record.type === type && typeof record.data === "string")
      .map((record) => record.data!);
  } catch {
    return null;
  }
}

export async function checkEndpointAddress(config: WebhooksConfig, text: string): Promise<AddressVerdict> {
  const checked = checkEndpointUrl(text, { allowLoopbackHttp: config.allowLoopbackHttp });
  if (!checked.ok) return { ok: false, reason: checked.reason, permanent: true };
  if (checked.address !== null) return { ok: true, url: checked.url };
  const name = checked.url.hostname;
  const [v4, v6] = await Promise.all([
    resolve(config.dnsResolverUrl, name, A),
    resolve(config.dnsResolverUrl, name, AAAA),
  ]);
  if (v4 === null || v6 === null) return { ok: false, reason: "unresolvable", permanent: false };
  const addresses = [...v4, ...v6];
  if (addresses.length === 0) return { ok: false, reason: "unresolvable", permanent: false };
  // Any private record refuses the name: which one the connection would use is not ours to choose.
  if (addresses.some(isForbiddenAddress)) return { ok: false, reason: "private_address", permanent: true };
  return { ok: true, url: checked.url };
}
