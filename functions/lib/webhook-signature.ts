import { fromBase64, randomBytes, toBase64 } from "./encoding";

/**
 * Standard Webhooks (https://www.standardwebhooks.com/, "Signature scheme"): a symmetric secret `whsec_<base64>`,
 * and for each attempt the headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`:
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. WebCrypto only, so the Worker carries no library for it.
 */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes (the specification asks for 24 to 64). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${toBase64(randomBytes(32))}`;
}

export async function signWebhook(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}
