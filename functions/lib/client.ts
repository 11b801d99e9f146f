import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppBindings } from "../bindings";
import { sha256Hex } from "./crypto";
import { randomBytes, toBase64Url } from "./encoding";
import { BoundedLru } from "./lru";

export interface ClientFingerprint {
  /** SHA-256 of the client IP, truncated: enough to count and throttle, not enough to identify (LGPD Art. 6 III). */
  ipHash: string;
  /** Hash of the server-issued device id of the device cookie, or `NO_DEVICE` when the client sent none. */
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
  const edge = c.get("config")?.edge;
  if (!edge?.ok || !edge.value.trustClientIpHeader) return UNKNOWN_CLIENT_ADDRESS;
  const header = c.req.header("cf-connecting-ip")?.trim();
  return header && IP_ADDRESS.test(header) ? header : UNKNOWN_CLIENT_ADDRESS;
}

/**
 * The client's source port, where the platform gives one. Cloudflare's edge documents no source-port header for
 * Workers and workerd gives no socket, so this is null unless the zone adds `CF-Connecting-Port` (a request-header
 * transform rule at the edge, which then also replaces a client's own), trusted on the same switch as the address.
 */
export function clientPort(c: Context<AppBindings>): number | null {
  const edge = c.get("config")?.edge;
  if (!edge?.ok || !edge.value.trustClientIpHeader) return null;
  const header = c.req.header("cf-connecting-port")?.trim();
  const port = header && /^[0-9]{1,5}$/.test(header) ? Number(header) : Number.NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * The device cookie: a random id the server issues at sign-in, HttpOnly so no script reads it, `__Host-` so it
 * is Secure, host-only and path `/` (RFC 6265bis §4.1.3.2). Only its hash is stored (the account's set of
 * known devices). Request headers such as User-Agent are not used: anyone can copy them.
 */
export const DEVICE_COOKIE = "__Host-vitalis_device";
/** Browsers keep a cookie at most 400 days (RFC 6265bis §5.6). */
export const DEVICE_COOKIE_SECONDS = 400 * 86400;
/** Stands for "no device cookie": never added to a set of known devices, so it is never known. */
export const NO_DEVICE = "none";
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;

/** The device id of the request's cookie when it has the form we issue; null otherwise. */
export function deviceIdOf(c: Context<AppBindings>): string | null {
  const id = getCookie(c, DEVICE_COOKIE);
  return id && DEVICE_ID.test(id) ? id : null;
}

/**
 * The truncated digests of addresses and device ids this isolate computed, by their input (`ip:…`, `device:…`):
 * a signed-in client sends many requests from one address and device, and a digest is the same every time. Plain
 * strings in isolate memory only (no I/O object, nothing leaves the isolate), at most 4,096 of them, each kept
 * ten minutes; what reaches Redis keys is still only the digest.
 */
const digests = new BoundedLru<string>({ maxEntries: 4096, maxBytes: 1024 * 1024 });
const DIGEST_MEMO_MS = 10 * 60_000;

async function truncatedDigest(input: string, length: number): Promise<string> {
  const now = Date.now();
  const known = digests.get(input, now);
  if (known !== null) return known;
  const digest = (await sha256Hex(input)).slice(0, length);
  digests.set(input, digest, { bytes: input.length + length + 64, expiresAt: now + DIGEST_MEMO_MS, now });
  return digest;
}

export function deviceHashOf(deviceId: string): Promise<string> {
  return truncatedDigest(`device:${deviceId}`, 32);
}

export function clientFingerprint(c: Context<AppBindings>): Promise<ClientFingerprint> {
  return fingerprintOf(c, clientAddress(c));
}

// Both digests are memo hits on almost every request: awaited one after the other, they cost no Promise.all.
async function fingerprintOf(c: Context<AppBindings>, address: string): Promise<ClientFingerprint> {
  const deviceId = deviceIdOf(c);
  const ipHash = await truncatedDigest(`ip:${address}`, 24);
  return { ipHash, deviceHash: deviceId ? await deviceHashOf(deviceId) : NO_DEVICE };
}

export interface NetworkObservation {
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** What a protected request observes of its client: its fingerprint and the edge's network signal. */
export interface ClientObservation extends ClientFingerprint {
  /** The network signal from `request.cf`; null when the platform supplied none (then the signal is missing). */
  network: NetworkObservation | null;
}

/**
 * The network signal of each trusted client address this isolate saw in the last minute, by address. Cloudflare
 * derives `request.cf`'s country (T1 for a Tor exit) and coordinates from the client's address, so requests from
 * one address carry the same signal; reading `request.cf` makes workerd parse and freeze the whole object (about
 * 40 fields), about a tenth of a protected request's Worker CPU. Only an address the edge vouches for
 * (`clientAddress`, `TRUST_CLIENT_IP_HEADER`) is a key: clients that share `UNKNOWN_CLIENT_ADDRESS` are read
 * from `request.cf` every time. Plain data in isolate memory (no I/O object), at most 4,096 addresses.
 */
const networks = new BoundedLru<{ network: NetworkObservation | null }>({ maxEntries: 4096, maxBytes: 1024 * 1024 });
const NETWORK_MEMO_MS = 60_000;
const NETWORK_ENTRY_BYTES = 160;

/** The request's client fingerprint and network signal (see `networks`). */
export async function observeClient(c: Context<AppBindings>): Promise<ClientObservation> {
  const address = clientAddress(c);
  const { ipHash, deviceHash } = await fingerprintOf(c, address);
  if (address === UNKNOWN_CLIENT_ADDRESS) return { ipHash, deviceHash, network: networkObservation(c) };
  const now = Date.now();
  const known = networks.get(address, now);
  if (known) return { ipHash, deviceHash, network: known.network };
  const network = networkObservation(c);
  const bytes = address.length + (network?.country?.length ?? 0) + NETWORK_ENTRY_BYTES;
  networks.set(address, { network }, { bytes, expiresAt: now + NETWORK_MEMO_MS, now });
  return { ipHash, deviceHash, network };
}

const coordinate = (value: unknown): number | null => {
  const parsed = typeof value === "string" ? Number.parseFloat(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(parsed) ? parsed : null;
};

/** The network signal from `request.cf`; null when the platform supplied none (then the signal is missing). */
function networkObservation(c: Context<AppBindings>): NetworkObservation | null {
  const cf = (c.req.raw as Request & { cf?: Record<string, unknown> }).cf;
  if (!cf || typeof cf.country !== "string") return null;
  return { country: cf.country, latitude: coordinate(cf.latitude), longitude: coordinate(cf.longitude) };
}

/**
 * The request's device id, issuing a new one (and its cookie) when the client has none. Called at sign-in, so
 * a device becomes known only after someone signed in on it with the second factor.
 */
export function ensureDeviceId(c: Context<AppBindings>): string {
  const existing = deviceIdOf(c);
  if (existing) return existing;
  const id = toBase64Url(randomBytes(32));
  setCookie(c, DEVICE_COOKIE, id, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: DEVICE_COOKIE_SECONDS,
  });
  return id;
}

/** The IP hash and the device hash of a request that must not issue a device id (null without a cookie). */
export async function signInClientOf(c: Context<AppBindings>): Promise<{ ipHash: string; deviceHash: string | null }> {
  const { ipHash, deviceHash } = await clientFingerprint(c);
  return { ipHash, deviceHash: deviceHash === NO_DEVICE ? null : deviceHash };
}
