/**
 * Reads what the Worker sent from the run's mail catcher (maildev's REST API, local-cloud/mail-catcher.ts).
 * Addresses are unique per test, so tests filter by recipient rather than emptying a shared inbox.
 */
import { inject } from "vitest";

export interface CaughtMail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  from: Array<{ address: string; name?: string }>;
  to: Array<{ address: string; name?: string }>;
  headers: Record<string, string | string[]>;
}

function inbox(path: string): string {
  return `${inject("testEnvironment").mail.webUrl}/api${path}`;
}

/** Every message the catcher holds, oldest first. */
export async function listMail(): Promise<CaughtMail[]> {
  const response = await fetch(inbox("/email"));
  if (!response.ok) throw new Error(`mail catcher answered ${response.status}`);
  return (await response.json()) as CaughtMail[];
}

/** The messages addressed to `to` (case-insensitive), oldest first. */
export async function mailTo(to: string): Promise<CaughtMail[]> {
  const wanted = to.toLowerCase();
  return (await listMail()).filter((mail) => mail.to.some((address) => address.address.toLowerCase() === wanted));
}

/**
 * Waits for a message to `to` that satisfies `predicate`, polling the inbox (bounded: `timeoutMs`, 20 s by
 * default). Throws when none arrives.
 */
export async function waitForMail(
  to: string,
  predicate: (mail: CaughtMail) => boolean = () => true,
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailTo(to)).find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} arrived within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Empties the catcher's inbox. */
export async function deleteAllMail(): Promise<void> {
  const response = await fetch(inbox("/email/all"), { method: "DELETE" });
  if (!response.ok) throw new Error(`mail catcher answered ${response.status}`);
}
