/**
 * The processing register (LGPD Art. 37) must name every outside service the Worker is configured to reach. The
 * configuration's outbound endpoints are enumerated from the env schemas (functions/env.ts) and from the Bindings
 * interface, not from a list kept beside them: a new URL, host, endpoint or proxy variable without an
 * `OUTBOUND_ENDPOINTS` entry, or an entry whose recipient the register lacks, fails here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { CONFIG_SCHEMAS, OUTBOUND_ENDPOINTS } from "../../functions/env";
import { DATA_CATEGORIES, DATA_SUBJECTS, PROCESSING_ACTIVITIES, RECIPIENTS } from "../../functions/processing-register";
import { retentionPolicies } from "../../schema/retention-policies";

/** A variable name that says it locates a service. */
const ENDPOINT_NAME = /(?:_URL|_HOST|_ENDPOINT|_BASE|_PROXY|_URI)$/;

/** Whether a field's schema takes a URL, a connection string or a host:port (probing it with such values). */
function acceptsAnEndpoint(schema: z.ZodType): boolean {
  return ["https://service.example.org", "postgres://u@db.example.org/x", "service.example.org:443/v1"].some(
    (value) => {
      const parsed = schema.safeParse(value);
      // A free-text field (a name, a token) accepts anything; it is not an endpoint unless its name says so.
      return parsed.success && !schema.safeParse("not an endpoint at all").success;
    },
  );
}

/** URL-shaped values that are never called: reviewed, each with its reason. */
const NOT_ENDPOINTS: Record<string, string> = {
  JWT_ISSUER: "the issuer named in our own tokens (RFC 7519 iss), never fetched",
  MAIL_FROM: "the sender's address, written into messages the SMTP relay carries",
};

function fieldsOf(schema: unknown): Record<string, z.ZodType> {
  return (schema as { shape: Record<string, z.ZodType> }).shape;
}

const schemaFields = Object.values(CONFIG_SCHEMAS).flatMap((schema) => Object.entries(fieldsOf(schema)));
const bindingNames = [
  ...(/export interface Bindings \{([\s\S]*?)\n\}/.exec(readFileSync("functions/env.ts", "utf8"))?.[1] ?? "").matchAll(
    /^\s{2}([A-Z0-9_]+)\??:/gm,
  ),
].map((match) => match[1]!);

describe("processing register: every outbound endpoint has a recipient", () => {
  const outbound = new Set<string>([
    ...schemaFields.filter(([name, schema]) => ENDPOINT_NAME.test(name) || acceptsAnEndpoint(schema)).map(([n]) => n),
    ...bindingNames.filter((name) => ENDPOINT_NAME.test(name)),
  ]);

  it("finds the endpoints the configuration has (the enumeration itself works)", () => {
    expect(bindingNames.length).toBeGreaterThan(20);
    for (const known of ["DATABASE_URL", "UPSTASH_REDIS_REST_URL", "S3_ENDPOINT", "SMTP_HOST", "CLOUDFLARE_API_BASE"]) {
      expect(outbound).toContain(known);
    }
    expect(outbound).toContain("REFERENCE_RESOLVER_URL");
  });

  it("maps each outbound variable to recipients the register lists", () => {
    const unmapped = [...outbound].filter((name) => !(name in OUTBOUND_ENDPOINTS) && !(name in NOT_ENDPOINTS));
    expect(unmapped).toEqual([]);
    for (const recipients of Object.values(OUTBOUND_ENDPOINTS)) {
      for (const id of recipients) expect(Object.keys(RECIPIENTS)).toContain(id);
    }
  });

  it("lists the processors the code calls, and every recipient serves some processing", () => {
    expect(Object.keys(RECIPIENTS)).toEqual(
      expect.arrayContaining(["cloudflare", "neon", "upstash", "aws_s3", "smtp_relay", "crossref", "ncbi"]),
    );
    const used = new Set(Object.values(PROCESSING_ACTIVITIES).flatMap((activity) => activity.recipients));
    expect([...used].sort()).toEqual(Object.keys(RECIPIENTS).sort());
  });

  it("refers only to categories, subjects and retention classes that exist", () => {
    for (const activity of Object.values(PROCESSING_ACTIVITIES)) {
      for (const category of activity.dataCategories) expect(Object.keys(DATA_CATEGORIES)).toContain(category);
      for (const subject of activity.dataSubjects) expect(Object.keys(DATA_SUBJECTS)).toContain(subject);
      for (const retention of activity.retentionClasses) expect(Object.keys(retentionPolicies)).toContain(retention);
      // Health data needs an LGPD Art. 11 basis.
      if ((activity.dataCategories as readonly string[]).includes("health_data")) {
        expect(activity.legalBases.some((basis) => basis.includes("art. 11"))).toBe(true);
      }
    }
  });
});
