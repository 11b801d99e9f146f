/**
 * A signed-in session with MFA, for routes that need PHI-level trust (DICOM, privacy requests). Enrols a
 * TOTP authenticator through the real endpoints, then signs in with password + code. Uses steps `step`
 * and `step + 1` (each accepted once, RFC 6238 §5.2), so call it once per user. The answer carries the device
 * cookie the Worker issued at that sign-in: requests that send it come from a known device, as a browser's do.
 */
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, deviceCookieFrom, refreshCookieFrom, signIn, type TestUser, jsonPost } from "./auth.js";
import type { TestWorker } from "./worker.js";

export async function signInWithMfa(
  worker: TestWorker,
  host: string,
  user: TestUser,
  options: { headers?: Record<string, string> } = {},
): Promise<{ accessToken: string; deviceCookie: string; refreshCookie: string }> {
  const session = await signIn(worker, host, user);
  const enrol = await worker.fetch("/api/me/mfa/enrol", {
    host,
    ...jsonPost({ currentPassword: user.password }, bearer(session.accessToken)),
  });
  if (enrol.status !== 200) throw new Error(`MFA enrolment failed: ${enrol.status}`);
  const { secret } = (await enrol.json()) as { secret: string };
  const step = totpStep();
  const confirm = await worker.fetch("/api/me/mfa/confirm", {
    host,
    ...jsonPost({ code: await totpCode(secret, step) }, bearer(session.accessToken)),
  });
  if (confirm.status !== 200) throw new Error(`MFA confirmation failed: ${confirm.status}`);
  const login = await worker.fetch("/api/auth/login", {
    host,
    ...jsonPost({ email: user.email, password: user.password }, options.headers),
  });
  const { mfaToken } = (await login.json()) as { mfaToken: string };
  const mfa = await worker.fetch("/api/auth/mfa", {
    host,
    ...jsonPost({ mfaToken, code: await totpCode(secret, step + 1) }, options.headers),
  });
  if (mfa.status !== 200) throw new Error(`MFA sign-in failed: ${mfa.status} ${await mfa.text()}`);
  return {
    accessToken: ((await mfa.json()) as { access_token: string }).access_token,
    deviceCookie: deviceCookieFrom(mfa),
    refreshCookie: refreshCookieFrom(mfa),
  };
}
