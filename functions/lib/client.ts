import type { Context } from "hono";
import type { AppBindings } from "../bindings";
import { sha256Hex } from "./crypto";

export interface ClientFingerprint {
  /** SHA-256 of the client IP, truncated: enough to count and throttle, not enough to identify (LGPD Art. 6 III). */
  ipHash: string;
  deviceHash: string;
}

/** Cloudflare puts the client address in CF-Connecting-IP; anything else is absent. */
export async function clientFingerprint(c: Context<AppBindings>): Promise<ClientFingerprint> {
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
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
