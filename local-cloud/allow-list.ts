/**
 * The one rule the local Neon stand-ins (the WebSocket proxy and the HTTP endpoint) share: they open
 * connections only to the "host:port" targets they were started with, so neither can become an open relay.
 */

export interface Target {
  host: string;
  port: number;
  /** The normalised "host:port" ("[v6]:port") the allow-list compares. */
  key: string;
}

/** The allow-list from its "host:port" entries; a malformed entry is a start-up error, naming the stand-in. */
export function buildAllowList(entries: string[], owner: string): Set<string> {
  const keys = new Set<string>();
  for (const entry of entries) {
    const target = parseAddress(entry);
    if (!target) throw new Error(`${owner}: invalid allow-list entry "${entry}" (expected host:port)`);
    keys.add(target.key);
  }
  return keys;
}

/** Parses "host:port" or "[v6]:port"; hosts compare case-insensitively, ports must be 1–65535. */
export function parseAddress(raw: string | null | undefined): Target | null {
  if (!raw) return null;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw.trim());
  if (!match) return null;
  const host = (match[1] ?? match[2] ?? "").toLowerCase();
  const port = Number(match[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) return null;
  const key = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, key };
}
