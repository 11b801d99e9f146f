/**
 * A local stand-in for a DNS-over-HTTPS resolver's JSON API (RFC 8484 servers such as cloudflare-dns.com answer
 * `GET /dns-query?name=…&type=A|AAAA` with `Accept: application/dns-json`): the Worker resolves webhook hosts with
 * it, since Workers have no DNS API. It answers from a fixture map (local-cloud/fixtures/dns/records.json: name →
 * A, AAAA and an optional CNAME), NXDOMAIN (Status 3) for any other name, and never asks a real resolver.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
}

export interface DnsOverHttps {
  /** The Worker's WEBHOOK_DNS_RESOLVER_URL, e.g. http://127.0.0.1:41234/dns-query. */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, { code: number; key: "A" | "AAAA" }> = {
  A: { code: 1, key: "A" },
  "1": { code: 1, key: "A" },
  AAAA: { code: 28, key: "AAAA" },
  "28": { code: 28, key: "AAAA" },
};

export function dnsFixtures(): Record<string, DnsRecords> {
  return JSON.parse(readFileSync(new URL("./fixtures/dns/records.json", import.meta.url), "utf8")) as Record<
    string,
    DnsRecords
  >;
}

export async function startDnsOverHttps(
  options: { records?: Record<string, DnsRecords>; host?: string; port?: number } = {},
): Promise<DnsOverHttps> {
  const records = options.records ?? dnsFixtures();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const name = (url.searchParams.get("name") ?? "").replace(/\.$/, "").toLowerCase();
    const type = TYPES[(url.searchParams.get("type") ?? "A").toUpperCase()];
    if (url.pathname !== "/dns-query" || req.method !== "GET" || !name || !type) {
      res.writeHead(400, { "content-type": "application/dns-json" });
      res.end(JSON.stringify({ Status: 1 }));
      return;
    }
    const found = records[name];
    const question = [{ name: `${name}.`, type: type.code }];
    const answer: Array<{ name: string; type: number; TTL: number; data: string }> = [];
    if (found?.CNAME) answer.push({ name: `${name}.`, type: 5, TTL: 60, data: `${found.CNAME}.` });
    for (const data of found?.[type.key] ?? [])
      answer.push({ name: found?.CNAME ? `${found.CNAME}.` : `${name}.`, type: type.code, TTL: 60, data });
    res.writeHead(200, { "content-type": "application/dns-json" });
    res.end(
      JSON.stringify({ Status: found ? 0 : 3, TC: false, RD: true, RA: true, Question: question, Answer: answer }),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/dns-query`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
