import { describe, expect, it } from "vitest";
import { getConfig } from "../../functions/env.js";
import { checkReadiness } from "../../functions/services/readiness.js";

const complete = {
  ENVIRONMENT: "test",
  DATABASE_URL: "postgres://app@127.0.0.1:5432/db",
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
  UPSTASH_REDIS_REST_TOKEN: "t",
  S3_REGION: "us-east-1",
  S3_BUCKET: "vitalis-media",
  S3_ACCESS_KEY_ID: "a",
  S3_SECRET_ACCESS_KEY: "s",
  S3_FORCE_PATH_STYLE: "true",
};

describe("configuration", () => {
  it("parses a complete environment", () => {
    const config = getConfig({ ...complete });
    expect(config.environment).toBe("test");
    expect(config.database).toEqual({ ok: true, value: { url: complete.DATABASE_URL, wsProxy: undefined } });
    expect(config.s3.ok && config.s3.value.forcePathStyle).toBe(true);
  });

  it("names each missing or malformed variable, per dependency, without the values", () => {
    const config = getConfig({ ...complete, DATABASE_URL: "mysql://x", UPSTASH_REDIS_REST_TOKEN: undefined });
    expect(config.database.ok).toBe(false);
    expect(!config.database.ok && config.database.problems.join()).toMatch(/DATABASE_URL must be a postgres/);
    expect(!config.redis.ok && config.redis.problems.join()).toMatch(/UPSTASH_REDIS_REST_TOKEN is required/);
    expect(config.s3.ok).toBe(true);
    expect(JSON.stringify(config)).not.toContain("mysql://x");
  });

  it("treats an unknown environment name as production, the strictest", () => {
    expect(getConfig({ ...complete, ENVIRONMENT: "prod" }).environment).toBe("production");
    expect(getConfig({ ...complete, ENVIRONMENT: undefined }).environment).toBe("production");
  });

  it("trusts CF-Connecting-IP only when TRUST_CLIENT_IP_HEADER says so, and names a malformed switch", () => {
    expect(getConfig({ ...complete }).edge).toEqual({ ok: true, value: { trustClientIpHeader: false } });
    expect(getConfig({ ...complete, TRUST_CLIENT_IP_HEADER: "false" }).edge).toEqual({
      ok: true,
      value: { trustClientIpHeader: false },
    });
    expect(getConfig({ ...complete, TRUST_CLIENT_IP_HEADER: "true" }).edge).toEqual({
      ok: true,
      value: { trustClientIpHeader: true },
    });
    const malformed = getConfig({ ...complete, TRUST_CLIENT_IP_HEADER: "yes please" }).edge;
    expect(malformed.ok).toBe(false);
    expect(!malformed.ok && malformed.problems.join()).toMatch(/TRUST_CLIENT_IP_HEADER/);
    expect(JSON.stringify(malformed)).not.toContain("yes please");
  });
});

describe("mail configuration", () => {
  const mail = { SMTP_HOST: "smtp.example.com", MAIL_FROM: "Clínica <noreply@clinic.example>" };

  it("defaults to TLS on 465 and reads the sender's name and address", () => {
    expect(getConfig({ ...complete, ...mail }).mail).toEqual({
      ok: true,
      value: {
        host: "smtp.example.com",
        port: 465,
        security: "tls",
        credentials: undefined,
        from: { name: "Clínica", email: "noreply@clinic.example" },
      },
    });
    const starttls = getConfig({
      ...complete,
      ...mail,
      SMTP_SECURITY: "starttls",
      MAIL_FROM: "noreply@clinic.example",
    });
    expect(starttls.mail.ok && starttls.mail.value.port).toBe(587);
    expect(starttls.mail.ok && starttls.mail.value.from).toEqual({ name: undefined, email: "noreply@clinic.example" });
  });

  it("refuses plain SMTP outside development and tests", () => {
    for (const ENVIRONMENT of ["production", "staging", "prod"]) {
      const config = getConfig({ ...complete, ...mail, ENVIRONMENT, SMTP_SECURITY: "none" });
      expect(!config.mail.ok && config.mail.problems.join()).toMatch(/SMTP_SECURITY may be none only/);
    }
    for (const ENVIRONMENT of ["development", "test"])
      expect(getConfig({ ...complete, ...mail, ENVIRONMENT, SMTP_SECURITY: "none" }).mail.ok).toBe(true);
  });

  it("names a lone credential, port 25 and a From that could break its header, never the values", () => {
    const config = getConfig({
      ...complete,
      SMTP_HOST: "smtp.example.com",
      SMTP_PORT: "25",
      SMTP_USERNAME: "AKIAEXAMPLEUSER",
      MAIL_FROM: "Evil\r\nBcc: x@y.example <noreply@clinic.example>",
    });
    expect(config.mail.ok).toBe(false);
    const problems = !config.mail.ok ? config.mail.problems.join("; ") : "";
    expect(problems).toMatch(/SMTP_PORT/);
    expect(problems).toMatch(/SMTP_PASSWORD must be set together with SMTP_USERNAME/);
    expect(problems).toMatch(/MAIL_FROM/);
    expect(JSON.stringify(config.mail)).not.toMatch(/AKIAEXAMPLEUSER|Evil/);
  });
});

describe("readiness of the configuration", () => {
  // No dependency is configured, so nothing is probed: only the parsed configuration is reported.
  const noDependencies = { ENVIRONMENT: "test" };

  it("names the analysis, site and edge sections when they do not parse, without their values", async () => {
    const readiness = await checkReadiness(
      getConfig({
        ...noDependencies,
        REFERENCE_RESOLVER_URL: "resolver-at-home",
        SITE_CACHE_SECONDS: "five minutes",
        TRUST_CLIENT_IP_HEADER: "maybe",
      }),
      { schedule: () => undefined },
    );
    expect(readiness.status).toBe("not_ready");
    expect(readiness.misconfigured).toEqual(expect.arrayContaining(["analysis", "site", "edge"]));
    expect(readiness.config.analysis.reason).toContain("REFERENCE_RESOLVER_URL");
    expect(readiness.config.site.reason).toContain("SITE_CACHE_SECONDS");
    expect(readiness.config.edge.reason).toContain("TRUST_CLIENT_IP_HEADER");
    expect(JSON.stringify(readiness)).not.toMatch(/resolver-at-home|five minutes|maybe/);
  });

  it("reports the optional sections ok when they are unset", async () => {
    const readiness = await checkReadiness(getConfig({ ...noDependencies }), { schedule: () => undefined });
    expect(readiness.config.analysis).toEqual({ status: "ok" });
    expect(readiness.config.site).toEqual({ status: "ok" });
    expect(readiness.config.edge).toEqual({ status: "ok" });
    // The required sections are named too (here: nothing is configured).
    expect(readiness.misconfigured).toEqual(["auth", "audit", "mail"]);
  });
});
