import type { Context } from "hono";
import type { AppBindings } from "../bindings";
import { sha256Hex } from "./crypto";

export interface ClientFingerprint {
  /** SHA-256 of the client IP, truncated: enough to count and throttle, not enough to identify (LGPD Art. 6 III). */
  ipHash: string;
  deviceHash: string;
}

/** The address used when the platform gives none that can be trusted: every such client shares one bucket. */
export const UNKNOWN_CLIENT_ADDRESS = "unknown";

// An IPv4 or IPv6 address as Cloudflare writes it; anything else is not an address.
const IP_ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * The client's address for per-IP throttles. Cloudflare's edge sets CF-Connecting-IP on every request and
 * replaces any value the client sent, so the header is trusted only when the deployment says it runs behind
 * Cloudflare (`TRUST_CLIENT_IP_HEADER`). Anywhere else a client could name any address per request and never
 * fill a bucket; workerd gives a Worker no socket address, so those clients share `UNKNOWN_CLIENT_ADDRESS`.
 * A malformed switch counts as off: the stricter throttle wins.
 */
export function clientAddress(c: Context<AppBindings>): string {
  const edge = c.var.config?.edge;
  if (!edge?.ok || !edge.value.trustClientIpHeader) return UNKNOWN_CLIENT_ADDRESS;
  const header = c.req.header("cf-connecting-ip")?.trim();
  return header && IP_ADDRESS.test(header) ? header : UNKNOWN_CLIENT_ADDRESS;
}

export async function clientFingerprint(c: Context<AppBindings>): Promise<ClientFingerprint> {
  const ip = clientAddress(c);
  const device = `${c.req.header("user-agent") ?? ""}|${c.req.header("accept-language") ?? ""}`;
  const [ipHash, deviceHash] = await Promise.all([sha256Hex(`ip:${ip}`), sha256Hex(`device:${device}`)]);
  return { ipHash: ipHash.slice(0, 24), deviceHash: deviceHash.slice(0, 24) };
}

export interface NetworkObservation {
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The network signal from `request.cf`; null when the platform supplied none (then the signal is missing). */
export function networkObservation(c: Context<AppBindings>): NetworkObservation | null {
  const cf = (c.req.raw as Request & { cf?: Record<string, unknown> }).cf;
  if (!cf || typeof cf.country !== "string") return null;
  const number = (value: unknown): number | null => {
    const parsed =
      typeof value === "string" ? Number.parseFloat(value) : typeof value === "number" ? value : Number.NaN;
    return Number.isFinite(parsed) ? parsed : null;
  };
  return { country: cf.country, latitude: number(cf.latitude), longitude: number(cf.longitude) };
}
