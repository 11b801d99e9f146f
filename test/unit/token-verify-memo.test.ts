/**
 * The per-isolate memo of verified tokens (services/identity/tokens.ts): a token it holds is answered without
 * a second signature check, and never where a fresh verification would refuse it.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuthConfig, SigningJwk } from "../../functions/env.js";
import {
  CLOCK_TOLERANCE_SECONDS,
  issueAccessToken,
  issueSiteSession,
  verifyAccessToken,
  verifySiteSession,
} from "../../functions/services/identity/tokens.js";
import { generateSigningJwk } from "../../scripts/keys.js";

const TENANT = "00000000-0000-4000-8000-000000000001";
const OTHER_TENANT = "00000000-0000-4000-8000-000000000002";
let first: SigningJwk;
let second: SigningJwk;

const configWith = (keys: SigningJwk[]): AuthConfig => ({
  signingKeys: keys,
  issuer: "https://vitalis.test",
  audience: "vitalis-api",
  mfaEncryptionKey: "",
  adminOrigins: [],
});

const input = () => ({
  userId: crypto.randomUUID(),
  tenantId: TENANT,
  roles: ["editor" as const],
  amr: ["pwd"],
  authTime: Math.floor(Date.now() / 1000),
});

beforeAll(async () => {
  first = (await generateSigningJwk("key-1")) as unknown as SigningJwk;
  second = (await generateSigningJwk("key-2")) as unknown as SigningJwk;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the verified-token memo", () => {
  it("answers a token it verified with the same frozen claims", async () => {
    const config = configWith([first, second]);
    const { token } = await issueAccessToken(config, input());
    const once = await verifyAccessToken(config, token, TENANT);
    const again = await verifyAccessToken(config, token, TENANT);
    expect(again).toBe(once);
    expect(Object.isFrozen(again)).toBe(true);
    expect(Object.isFrozen(again.roles)).toBe(true);
  });

  it("refuses a remembered token from the instant jose would call it expired", async () => {
    const config = configWith([first]);
    const { token, claims } = await issueAccessToken(config, input());
    await verifyAccessToken(config, token, TENANT);
    vi.useFakeTimers({ toFake: ["Date"] });
    const lastGoodMs = (claims.exp + CLOCK_TOLERANCE_SECONDS) * 1000 - 1;
    vi.setSystemTime(lastGoodMs);
    await expect(verifyAccessToken(config, token, TENANT)).resolves.toMatchObject({ jti: claims.jti });
    vi.setSystemTime(lastGoodMs + 1);
    await expect(verifyAccessToken(config, token, TENANT)).rejects.toMatchObject({ status: 401 });
    // Not brought back by an earlier clock either: the entry is gone, and a fresh verification decides.
    vi.setSystemTime(lastGoodMs + 60_000);
    await expect(verifyAccessToken(config, token, TENANT)).rejects.toMatchObject({ status: 401 });
  });

  it("refuses a remembered token once its key leaves the configuration", async () => {
    const before = configWith([first, second]);
    const { token } = await issueAccessToken(before, input());
    await verifyAccessToken(before, token, TENANT);
    // A rotation is a new configuration: the signer `key-1` is gone, `key-2` stays.
    await expect(verifyAccessToken(configWith([second]), token, TENANT)).rejects.toMatchObject({ status: 401 });
    // The same kid with other key material is another key.
    const impostor = { ...second, kid: "key-1" } as SigningJwk;
    await expect(verifyAccessToken(configWith([impostor]), token, TENANT)).rejects.toMatchObject({ status: 401 });
  });

  it("never answers a tampered token from a remembered one", async () => {
    const config = configWith([first]);
    const { token } = await issueAccessToken(config, input());
    await verifyAccessToken(config, token, TENANT);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ["admin"] })).toString("base64url");
    await expect(verifyAccessToken(config, `${header}.${promoted}.${signature}`, TENANT)).rejects.toMatchObject({
      status: 401,
    });
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`;
    await expect(verifyAccessToken(config, `${header}.${payload}.${flipped}`, TENANT)).rejects.toMatchObject({
      status: 401,
    });
  });

  it("refuses a remembered token on another tenant's host", async () => {
    const config = configWith([first]);
    const { token } = await issueAccessToken(config, input());
    await verifyAccessToken(config, token, TENANT);
    await expect(verifyAccessToken(config, token, OTHER_TENANT)).rejects.toMatchObject({ status: 401 });
  });

  it("keeps access tokens and site sessions apart", async () => {
    const config = configWith([first]);
    const { token: access } = await issueAccessToken(config, input());
    const { token: session } = await issueSiteSession(config, input());
    await verifyAccessToken(config, access, TENANT);
    await verifySiteSession(config, session, TENANT);
    await expect(verifySiteSession(config, access, TENANT)).rejects.toMatchObject({ status: 401 });
    await expect(verifyAccessToken(config, session, TENANT)).rejects.toMatchObject({ status: 401 });
    await expect(verifySiteSession(config, session, TENANT)).resolves.toMatchObject({ tid: TENANT });
  });
});
