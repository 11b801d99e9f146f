import { sha256Hex } from "../../lib/crypto";
import { RateLimitedError } from "../../lib/errors";
import type { Scope } from "../../scope";

/**
 * Password lockout, in two layers (OWASP ASVS 6.3, "soft lockout"; NIST SP 800-63B §5.2.2):
 *   - per (account, client): ten consecutive failures from one client lock that client out of that account for
 *     fifteen minutes. The client is the IP hash plus the device id when the browser holds one.
 *   - per account, across clients: a backstop that slows instead of locking. From the tenth failure on, each
 *     further failure makes every client wait a growing delay (30 s, doubling, at most five minutes), so a
 *     guesser spread over many addresses gets a few guesses an hour, while the owner waits minutes at worst.
 *     A device that has signed in to the account before is not slowed: an attacker who keeps failing from
 *     elsewhere cannot keep the owner out of their own browser.
 * Only failures count; a correct password resets both counts.
 */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 15 * 60;
export const BACKSTOP_THRESHOLD = 10;
export const BACKSTOP_FIRST_DELAY_SECONDS = 30;
export const BACKSTOP_MAX_DELAY_SECONDS = 5 * 60;
/** How long the per-account count of failures is remembered after the last one. */
export const BACKSTOP_WINDOW_SECONDS = 60 * 60;
const KNOWN_DEVICE_SECONDS = 400 * 86400;

/** The Redis keys of one account as seen from one client. */
export interface LockoutSubject {
  /** Hash of tenant and email: names the account without storing the address. */
  accountKey: string;
  /** Hash of the account key, the IP hash and the device hash. */
  clientKey: string;
  /** The device's hash when the client presented a device cookie; null otherwise. */
  deviceHash: string | null;
}

/** What sign-in knows about the client: hashes only (lib/client.ts). */
export interface LoginClient {
  ipHash: string;
  deviceHash: string | null;
}

export async function accountKeyOf(tenantId: string, email: string): Promise<string> {
  return (await sha256Hex(`${tenantId}:${email.trim().toLowerCase()}`)).slice(0, 32);
}

export async function lockoutSubject(tenantId: string, email: string, client: LoginClient): Promise<LockoutSubject> {
  const accountKey = await accountKeyOf(tenantId, email);
  const clientKey = (await sha256Hex(`${accountKey}|${client.ipHash}|${client.deviceHash ?? ""}`)).slice(0, 32);
  return { accountKey, clientKey, deviceHash: client.deviceHash };
}

const keys = (subject: LockoutSubject) => ({
  clientFail: `vitalis:fail:${subject.accountKey}:${subject.clientKey}`,
  clientLock: `vitalis:lock:${subject.accountKey}:${subject.clientKey}`,
  accountFail: `vitalis:fail:${subject.accountKey}`,
  accountSlow: `vitalis:lock:slow:${subject.accountKey}`,
  knownDevices: `vitalis:login-devices:${subject.accountKey}`,
});

/**
 * Refuses (429, Retry-After) while this client is locked out of the account, or while the account is slowed
 * and this device has never signed in to it. One Redis pipeline.
 */
export async function assertNotLockedOut(scope: Scope, subject: LockoutSubject): Promise<void> {
  const k = keys(subject);
  const pipeline = scope.redis.pipeline();
  pipeline.ttl(k.clientLock);
  pipeline.ttl(k.accountSlow);
  pipeline.sismember(k.knownDevices, subject.deviceHash ?? "");
  const [clientLockTtl, slowTtl, known] = (await pipeline.exec()) as [number, number, number];
  if (clientLockTtl > 0) {
    throw new RateLimitedError(clientLockTtl, "Too many failed sign-ins. The account is locked for a few minutes.");
  }
  if (slowTtl > 0 && !(subject.deviceHash && Number(known) === 1)) {
    throw new RateLimitedError(slowTtl, "Too many failed sign-ins for this account. Wait a moment and try again.");
  }
}

export interface FailureCount {
  /** Consecutive failures from this client. */
  failures: number;
  /** Failures for the account from every client, within the backstop window. */
  accountFailures: number;
  /** Whether this failure locked the client out. */
  locked: boolean;
  /** Seconds every other client must now wait (0 = not slowed). */
  slowedSeconds: number;
}

/** Counts one failed password (or re-authentication) and engages the client lock or the account delay. */
export async function recordFailure(scope: Scope, subject: LockoutSubject): Promise<FailureCount> {
  const k = keys(subject);
  const pipeline = scope.redis.pipeline();
  pipeline.incr(k.clientFail);
  pipeline.expire(k.clientFail, LOCKOUT_SECONDS);
  pipeline.incr(k.accountFail);
  pipeline.expire(k.accountFail, BACKSTOP_WINDOW_SECONDS);
  const [failures, , accountFailures] = (await pipeline.exec()) as [number, number, number];
  const locked = failures >= LOCKOUT_THRESHOLD;
  const slowedSeconds =
    accountFailures >= BACKSTOP_THRESHOLD
      ? Math.min(
          BACKSTOP_MAX_DELAY_SECONDS,
          BACKSTOP_FIRST_DELAY_SECONDS * 2 ** Math.min(accountFailures - BACKSTOP_THRESHOLD, 16),
        )
      : 0;
  if (locked || slowedSeconds > 0) {
    const engage = scope.redis.pipeline();
    if (locked) engage.set(k.clientLock, "1", { ex: LOCKOUT_SECONDS });
    if (slowedSeconds > 0) engage.set(k.accountSlow, "1", { ex: slowedSeconds });
    await engage.exec();
  }
  return { failures, accountFailures, locked, slowedSeconds };
}

/**
 * A correct password: both counts start again, and the client's device (the one it presented, or the one
 * issued to it now) is remembered as one the owner signs in from.
 */
export async function recordSuccess(scope: Scope, subject: LockoutSubject, deviceHash?: string): Promise<void> {
  const k = keys(subject);
  const device = deviceHash ?? subject.deviceHash;
  const pipeline = scope.redis.pipeline();
  pipeline.del(k.clientFail, k.accountFail, k.accountSlow);
  if (device) {
    pipeline.sadd(k.knownDevices, device);
    pipeline.expire(k.knownDevices, KNOWN_DEVICE_SECONDS);
  }
  await pipeline.exec();
}
