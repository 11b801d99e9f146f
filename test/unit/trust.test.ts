import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  evaluateTrust,
  type Observations,
  type Signals,
  scoreSignals,
  type TrustRequirement,
} from "../../functions/services/trust.js";

const base: Observations = {
  authenticated: true,
  amr: ["pwd", "otp", "mfa"],
  authAgeSeconds: 600,
  roles: ["editor"],
  deviceKnown: true,
  network: { country: "BR", latitude: -23.55, longitude: -46.63 },
  lastSeen: { latitude: -23.55, longitude: -46.63, atMs: Date.parse("2026-11-22T10:00:00Z") },
  nowMs: Date.parse("2026-11-22T10:05:00Z"),
  hourShare: { share: 0.1, total: 500 },
  requestsThisMinute: 3,
  phiReadsToday: 2,
};

const decide = (o: Partial<Observations>, requirement: TrustRequirement) =>
  evaluateTrust({ ...base, ...o }, requirement);

describe("trust decisions", () => {
  it.each<[string, Partial<Observations>, TrustRequirement, string]>([
    ["MFA staff on a known device reads PHI", {}, { sensitivity: "phi", action: "read" }, "allow"],
    [
      "password-only staff reads restricted data",
      { amr: ["pwd"] },
      { sensitivity: "restricted", action: "read" },
      "allow",
    ],
    [
      "password-only staff is asked to step up for PHI",
      { amr: ["pwd"] },
      { sensitivity: "phi", action: "read" },
      "step_up",
    ],
    [
      "a stale sign-in is asked to step up for PHI",
      { authAgeSeconds: 5 * 3600 },
      { sensitivity: "phi", action: "read" },
      "step_up",
    ],
    [
      "an admin with MFA on a known device steps up for PHI once the sign-in is over an hour old",
      { roles: ["admin"], authAgeSeconds: 3601 },
      { sensitivity: "phi", action: "read" },
      "step_up",
    ],
    [
      "a compliance officer with MFA on a known device steps up to change PHI after an hour",
      { roles: ["compliance_officer"], authAgeSeconds: 2 * 3600 },
      { sensitivity: "phi", action: "write" },
      "step_up",
    ],
    [
      "an hour-old sign-in still reads restricted data",
      { roles: ["admin"], authAgeSeconds: 2 * 3600 },
      { sensitivity: "restricted", action: "read" },
      "allow",
    ],
    [
      "Tor, an unknown device and an unusual hour may read restricted data but not change it",
      {
        network: { country: "T1", latitude: null, longitude: null },
        deviceKnown: false,
        hourShare: { share: 0.001, total: 500 },
        requestsThisMinute: 200,
      },
      { sensitivity: "restricted", action: "write" },
      "read_only",
    ],
    [
      "the same reading is allowed",
      {
        network: { country: "T1", latitude: null, longitude: null },
        deviceKnown: false,
        hourShare: { share: 0.001, total: 500 },
        requestsThisMinute: 200,
      },
      { sensitivity: "restricted", action: "read" },
      "allow",
    ],
    [
      "impossible travel from Tor on an unknown device is denied PHI",
      { network: { country: "T1", latitude: 48.85, longitude: 2.35 }, deviceKnown: false, amr: ["pwd"] },
      { sensitivity: "phi", action: "read" },
      "deny",
    ],
    [
      "a missing Redis signal fails closed for PHI",
      { deviceKnown: null },
      { sensitivity: "phi", action: "read" },
      "deny",
    ],
    [
      "a missing Redis signal fails closed for restricted",
      { requestsThisMinute: null },
      { sensitivity: "restricted", action: "read" },
      "deny",
    ],
    [
      "a missing signal fails open for public",
      { deviceKnown: null, requestsThisMinute: null, hourShare: null },
      { sensitivity: "public", action: "read" },
      "allow",
    ],
    [
      "a flood of PHI reads is denied",
      { phiReadsToday: 5000, requestsThisMinute: 400, deviceKnown: false },
      { sensitivity: "phi", action: "read" },
      "deny",
    ],
  ])("%s", (_label, observations, requirement, expected) => {
    expect(decide(observations, requirement).decision).toBe(expected);
  });

  it("names the factors that cost score", () => {
    const result = decide(
      { deviceKnown: false, network: { country: "T1", latitude: null, longitude: null } },
      { sensitivity: "restricted", action: "read" },
    );
    expect(result.factors).toMatchObject({ device: 10, network: 15 });
  });
});

const risk = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null });
const signalsArb = fc.record<Signals>({
  authentication: risk,
  credential: risk,
  device: risk,
  network: risk,
  geoVelocity: risk,
  timeBaseline: risk,
  requestVelocity: risk,
  sensitivity: risk,
});
const requirementArb = fc.record<TrustRequirement>({
  sensitivity: fc.constantFrom("public", "professional", "restricted", "phi"),
  action: fc.constantFrom("read", "write"),
});
const names = [
  "authentication",
  "credential",
  "device",
  "network",
  "geoVelocity",
  "timeBaseline",
  "requestVelocity",
  "sensitivity",
] as const;

describe("trust is monotonic", () => {
  it("never raises the score when one risk signal worsens", () => {
    fc.assert(
      fc.property(
        signalsArb,
        requirementArb,
        fc.constantFrom(...names),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (signals, requirement, name, extra) => {
          const current = signals[name];
          // A missing signal is not a value to worsen: it already counts as the worst (or, for public, as none).
          fc.pre(current !== null);
          const before = scoreSignals(signals, requirement);
          const worse = { ...signals, [name]: Math.min(1, current + extra) };
          const after = scoreSignals(worse, requirement);
          expect(after.score).toBeLessThanOrEqual(before.score);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("never turns a refusal into an allow when a signal worsens to its worst", () => {
    fc.assert(
      fc.property(signalsArb, requirementArb, fc.constantFrom(...names), (signals, requirement, name) => {
        fc.pre(signals[name] !== null);
        const before = scoreSignals(signals, requirement).decision;
        const after = scoreSignals({ ...signals, [name]: 1 }, requirement).decision;
        if (before !== "allow") expect(after).not.toBe("allow");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("break-glass (HIPAA 164.312(a)(2)(ii) emergency access)", () => {
  const phiRead: TrustRequirement = { sensitivity: "phi", action: "read" };
  // A medical reviewer on an unfamiliar device with a password-only session: short of the PHI bar, over the staff one.
  const emergency: Partial<Observations> = { roles: ["medical_reviewer"], amr: ["pwd"], deviceKnown: false };
  const openedAt = base.nowMs;
  const until = openedAt + 3_600_000;

  it("lets a PHI read through during the grant's hour, marked as break-glass, and not a minute later", () => {
    expect(decide(emergency, phiRead).decision).not.toBe("allow");
    const during = decide({ ...emergency, breakGlassUntilMs: until, nowMs: openedAt + 59 * 60_000 }, phiRead);
    expect(during).toMatchObject({ decision: "allow", breakGlass: true });
    const after = decide({ ...emergency, breakGlassUntilMs: until, nowMs: openedAt + 61 * 60_000 }, phiRead);
    expect(after.decision).not.toBe("allow");
    expect(after.breakGlass).toBeUndefined();
  });

  it("changes nothing below PHI, nothing that passes anyway, and keeps the hard rules", () => {
    expect(
      decide({ ...emergency, breakGlassUntilMs: until }, { sensitivity: "restricted", action: "write" }),
    ).not.toHaveProperty("breakGlass");
    expect(decide({ breakGlassUntilMs: until }, phiRead)).toEqual(decide({}, phiRead));
    // A stale sign-in still steps up; a missing signal (Redis down) still denies; Tor stays below even the staff bar.
    expect(decide({ ...emergency, breakGlassUntilMs: until, authAgeSeconds: 2 * 3600 }, phiRead)).toMatchObject({
      decision: "step_up",
      staleAuthentication: true,
    });
    expect(decide({ ...emergency, breakGlassUntilMs: until, deviceKnown: null }, phiRead).decision).toBe("deny");
    expect(
      decide(
        { ...emergency, breakGlassUntilMs: until, network: { country: "T1", latitude: null, longitude: null } },
        phiRead,
      ).decision,
    ).not.toBe("allow");
  });
});
