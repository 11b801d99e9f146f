import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SITE_LOCALES } from "../../functions/site/i18n";
import { sitePaths } from "../../functions/site/urls";
import { legalHoldPrefixes, lifecycleRulesFromPolicies, retentionPolicies } from "../../schema/retention-policies";
import {
  accessLogRetentionFilePath,
  lifecycleFilePath,
  renderAccessLogRetentionFile,
  renderLifecycleFile,
} from "../../scripts/generate-lifecycle";
import {
  checkBackend,
  checkBucketSecurity,
  checkCors,
  checkLeastPrivilege,
  checkLifecycleRules,
  checkModuleWiring,
  checkProviderPins,
  checkVariableReferences,
  checkVariables,
  forbiddenInfraFiles,
  infraRoot,
  isTerraformFile,
  listFiles,
  loadTerraformDir,
  parseTerraformFile,
  presignerActions,
  repoRoot,
  resource,
  scanForSecrets,
  statementsFromPolicyDocument,
  type TerraformConfig,
} from "./terraform-checks";

const moduleNames = ["cloudflare-worker", "neon", "upstash", "s3-dicom", "iam", "ses-smtp"] as const;
const envNames = ["staging", "production"] as const;
const configs = new Map<string, TerraformConfig>();
const mod = (name: (typeof moduleNames)[number]): TerraformConfig => configs.get(`modules/${name}`)!;
const env = (name: (typeof envNames)[number]): TerraformConfig => configs.get(`envs/${name}`)!;

beforeAll(async () => {
  for (const name of moduleNames)
    configs.set(`modules/${name}`, await loadTerraformDir(join(infraRoot, "modules", name)));
  for (const name of envNames) configs.set(`envs/${name}`, await loadTerraformDir(join(infraRoot, "envs", name)));
  configs.set("bootstrap", await loadTerraformDir(join(infraRoot, "bootstrap")));
});

describe("terraform files", () => {
  it("every .tf and .tf.json file parses", async () => {
    const files = listFiles(infraRoot, isTerraformFile);
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const file of files) {
      await expect(parseTerraformFile(file, readFileSync(file, "utf8")), relative(repoRoot, file)).resolves.toBeTypeOf(
        "object",
      );
    }
  });

  it("has every module and environment the design names", () => {
    for (const name of moduleNames) expect(existsSync(join(infraRoot, "modules", name, "main.tf")), name).toBe(true);
    for (const name of envNames) expect(existsSync(join(infraRoot, "envs", name, "main.tf")), name).toBe(true);
  });

  it("every variable has a description and, unless bool or map, a validation block", () => {
    const problems = [...configs.values()].flatMap(checkVariables);
    expect(problems).toEqual([]);
    expect([...configs.values()].reduce((n, c) => n + c.variables.size, 0)).toBeGreaterThan(40);
  });

  it("every var.* reference is declared in its directory", () => {
    expect([...configs.values()].flatMap(checkVariableReferences)).toEqual([]);
  });

  it("secrets are variables marked sensitive and outputs carrying credentials are sensitive", () => {
    const worker = mod("cloudflare-worker");
    for (const name of [
      "database_url",
      "upstash_redis_rest_token",
      "s3_access_key_id",
      "s3_secret_access_key",
      "smtp_username",
      "smtp_password",
    ]) {
      expect(worker.variables.get(name)?.sensitive, name).toBe(true);
      expect(worker.variables.get(name)?.default, name).toBeUndefined();
    }
    for (const [dir, outputs] of [
      ["neon", ["owner_database_url", "app_database_url", "app_role_sql"]],
      ["upstash", ["rest_token"]],
      ["iam", ["access_key_id", "secret_access_key"]],
      ["ses-smtp", ["smtp_username", "smtp_password"]],
      ["cloudflare-worker", ["worker_secrets_json"]],
    ] as const) {
      for (const output of outputs) expect(mod(dir).outputs.get(output)?.sensitive, `${dir}.${output}`).toBe(true);
    }
    for (const name of envNames) {
      for (const output of ["worker_secrets_json", "migration_database_url", "app_role_sql"]) {
        expect(env(name).outputs.get(output)?.sensitive, `${name}.${output}`).toBe(true);
      }
      expect(env(name).variables.get("upstash_api_key")?.sensitive).toBe(true);
    }
  });

  it("no secret value, state file or tfvars file is committed under infra-terraform", () => {
    const files = listFiles(infraRoot, () => true);
    expect(forbiddenInfraFiles(files)).toEqual([]);
    const findings = files.flatMap((file) =>
      scanForSecrets(readFileSync(file, "utf8")).map((kind) => `${relative(repoRoot, file)}: ${kind}`),
    );
    expect(findings).toEqual([]);
  });
});

describe("state and providers", () => {
  it("environments use an encrypted S3 backend with locking and distinct state keys", () => {
    const keys = new Set<string>();
    for (const name of envNames) {
      expect(checkBackend(env(name)), name).toEqual([]);
      const backend = env(name).terraform.flatMap(
        (t) => (t.backend as { s3: Array<{ key: string; use_lockfile: boolean }> } | undefined)?.s3 ?? [],
      );
      expect(backend[0]?.use_lockfile).toBe(true);
      keys.add(backend[0]?.key ?? "");
    }
    expect([...keys].sort()).toEqual(["production/terraform.tfstate", "staging/terraform.tfstate"]);
  });

  it("pins cloudflare, kislerdm/neon, upstash and aws in every environment, and each module's providers", () => {
    const all = ["cloudflare/cloudflare", "kislerdm/neon", "upstash/upstash", "hashicorp/aws"];
    for (const name of envNames) expect(checkProviderPins(env(name), all), name).toEqual([]);
    expect(checkProviderPins(mod("cloudflare-worker"), ["cloudflare/cloudflare"])).toEqual([]);
    expect(checkProviderPins(mod("neon"), ["kislerdm/neon"])).toEqual([]);
    expect(checkProviderPins(mod("upstash"), ["upstash/upstash"])).toEqual([]);
    expect(checkProviderPins(mod("s3-dicom"), ["hashicorp/aws"])).toEqual([]);
    expect(checkProviderPins(mod("iam"), ["hashicorp/aws"])).toEqual([]);
    expect(checkProviderPins(configs.get("bootstrap")!, ["hashicorp/aws"])).toEqual([]);
  });

  it("environments pin the same provider versions as the modules", () => {
    const versions = (config: TerraformConfig): Map<string, string> => {
      const map = new Map<string, string>();
      for (const block of config.terraform) {
        for (const providers of (block.required_providers as Array<
          Record<string, { source: string; version: string }>
        >) ?? []) {
          for (const spec of Object.values(providers)) map.set(spec.source, spec.version);
        }
      }
      return map;
    };
    const envVersions = versions(env("production"));
    expect(versions(env("staging"))).toEqual(envVersions);
    for (const name of moduleNames) {
      for (const [source, version] of versions(mod(name)))
        expect(envVersions.get(source), `${name} ${source}`).toBe(version);
    }
  });

  it("every module used by the environments exists and gets its required variables", async () => {
    for (const name of envNames) {
      expect(await checkModuleWiring(env(name)), name).toEqual([]);
      expect([...env(name).modules.keys()].sort()).toEqual([
        "cloudflare_worker",
        "iam",
        "neon",
        "s3_dicom",
        "ses_smtp",
        "upstash",
      ]);
    }
  });
});

describe("s3-dicom bucket", () => {
  it("is private, owner-enforced, versioned, SSE-KMS with a bucket key and access-logged", () => {
    expect(checkBucketSecurity(mod("s3-dicom"), "dicom")).toEqual([]);
    const key = resource(mod("s3-dicom"), "aws_kms_key", "dicom");
    expect(key?.enable_key_rotation).toBe(true);
  });

  it("has a private, versioned access-log bucket (SSE-S3, as server access logging requires)", () => {
    const problems = checkBucketSecurity(mod("s3-dicom"), "access_logs");
    // The log bucket uses AES256: S3 server access logs cannot be delivered to an SSE-KMS bucket.
    expect(problems.sort()).toEqual([
      "bucket key is not enabled",
      "default encryption does not use a KMS key managed here",
      "default encryption is not aws:kms",
      "server access logging is not configured",
    ]);
    const sse = resource(mod("s3-dicom"), "aws_s3_bucket_server_side_encryption_configuration", "access_logs") as {
      rule: Array<{ apply_server_side_encryption_by_default: Array<{ sse_algorithm: string }> }>;
    };
    expect(sse.rule[0]?.apply_server_side_encryption_by_default[0]?.sse_algorithm).toBe("AES256");
  });

  it("allows CORS only from the admin origin variable, PUT and GET, exposing ETag", () => {
    expect(checkCors(mod("s3-dicom"), "dicom", "${var.admin_origin}")).toEqual([]);
  });

  it("denies requests that are not over TLS in the bucket policy", () => {
    const doc = mod("s3-dicom").data.get("aws_iam_policy_document")?.get("dicom_bucket")?.[0];
    const statements = statementsFromPolicyDocument(doc ?? {});
    expect(statements.some((s) => s.effect === "Deny" && s.actions.includes("s3:*"))).toBe(true);
    expect(JSON.stringify(doc)).toContain("aws:SecureTransport");
    // Its Allow statements (none today) would still have to be least-privilege.
    expect(
      checkLeastPrivilege(
        statements.filter((s) => s.effect === "Deny"),
        [],
      ),
    ).toEqual([]);
  });

  it("enables Object Lock at creation in every environment, with no bucket-wide default retention", () => {
    expect(resource(mod("s3-dicom"), "aws_s3_bucket", "dicom")?.object_lock_enabled).toBe(true);
    for (const name of envNames) expect(env(name).variables.has("object_lock_enabled"), name).toBe(false);
    // A default retention would lock every new object of the bucket (no prefix filter), uploads and erasable media
    // included; the Worker sets the retention of each anchored checkpoint itself.
    expect(mod("s3-dicom").resources.get("aws_s3_bucket_object_lock_configuration")).toBeUndefined();
    expect(mod("s3-dicom").locals.get("audit_object_prefix")).toBe(retentionPolicies.audit_security.s3Prefix);
  });
});

describe("access-log retention (Marco Civil art. 15)", () => {
  it("the committed access-log-retention.auto.tf.json equals a fresh generation from the retention table", () => {
    expect(readFileSync(accessLogRetentionFilePath, "utf8")).toBe(renderAccessLogRetentionFile());
  });

  it("states 6 months at least, the table's maximum, on the database that holds the logs, and reaches the outputs", () => {
    const retention = mod("neon").locals.get("access_log_retention") as Record<string, unknown>;
    expect(retention).toMatchObject({
      table: "access_logs",
      retention_class: "access_log",
      min_days: retentionPolicies.access_log.minAgeDays,
      max_days: retentionPolicies.access_log.maxAgeDays,
      legal_basis: expect.stringContaining("Marco Civil"),
    });
    // Six months, counted generously (183 days), and the sweep's bound.
    expect(retention.min_days).toBeGreaterThanOrEqual(183);
    expect(retention.max_days as number).toBeGreaterThanOrEqual(retention.min_days as number);
    expect(mod("neon").outputs.get("access_log_retention")?.value).toBe("${local.access_log_retention}");
    for (const name of envNames)
      expect(env(name).outputs.get("access_log_retention")?.value, name).toBe("${module.neon.access_log_retention}");
    // The logs are rows, not objects: no bucket rule claims them.
    expect(retentionPolicies.access_log.s3Prefix).toBeNull();
  });
});

describe("lifecycle rules", () => {
  it("the committed lifecycle.auto.tf.json equals a fresh generation from the retention table", () => {
    expect(readFileSync(lifecycleFilePath, "utf8")).toBe(renderLifecycleFile());
  });

  it("match the policy table exactly: one rule per S3 class, expiration = max age (none for keep)", () => {
    const lifecycle = resource(mod("s3-dicom"), "aws_s3_bucket_lifecycle_configuration", "dicom");
    expect(checkLifecycleRules(lifecycle, lifecycleRulesFromPolicies())).toEqual([]);
    const rules = (lifecycle?.rule ?? []) as Array<{ id: string; expiration?: Array<{ days: number }> }>;
    expect(rules.find((r) => r.id === "medical_record")?.expiration?.[0]?.days).toBe(7671);
    expect(rules.find((r) => r.id === "upload_incomplete")?.expiration?.[0]?.days).toBe(2);
    expect(rules.find((r) => r.id === "general_media")?.expiration).toBeUndefined();
    expect(rules).toHaveLength(Object.values(retentionPolicies).filter((p) => p.s3Prefix !== null).length);
  });

  it("expire the access-log bucket after the audit_security maximum", () => {
    const lifecycle = resource(mod("s3-dicom"), "aws_s3_bucket_lifecycle_configuration", "access_logs") as {
      rule: Array<{ expiration: Array<{ days: number }> }>;
    };
    expect(lifecycle.rule[0]?.expiration[0]?.days).toBe(retentionPolicies.audit_security.maxAgeDays);
  });

  it("the presigner's prefixes are the lifecycle prefixes", () => {
    expect(mod("s3-dicom").locals.get("retention_object_prefixes")).toEqual(
      lifecycleRulesFromPolicies().map((r) => r.prefix),
    );
    expect(mod("s3-dicom").outputs.get("object_prefixes")?.value).toBe("${local.retention_object_prefixes}");
    expect(env("production").modules.get("iam")?.object_prefixes).toBe("${module.s3_dicom.object_prefixes}");
  });
});

describe("iam presigner", () => {
  it("grants only the listed object, list and KMS actions, never * actions or * resources", () => {
    const doc = mod("iam").data.get("aws_iam_policy_document")?.get("presigner")?.[0] ?? {};
    const statements = statementsFromPolicyDocument(doc);
    expect(checkLeastPrivilege(statements, presignerActions)).toEqual([]);
    expect(statements.every((s) => s.effect === "Allow")).toBe(true);
    expect([...new Set(statements.flatMap((s) => s.actions))].sort()).toEqual([...presignerActions].sort());
  });

  it("may lock objects only under audit/ and never delete or tag there; legal holds only outside it", () => {
    const doc = mod("iam").data.get("aws_iam_policy_document")?.get("presigner")?.[0] ?? {};
    const statements = statementsFromPolicyDocument(doc);
    const onAudit = statements.filter((s) => s.resources.includes("${local.audit_arn}"));
    expect(onAudit.flatMap((s) => s.actions).sort()).toEqual(["s3:GetObject", "s3:PutObject", "s3:PutObjectRetention"]);
    const retention = statements.filter((s) => s.actions.includes("s3:PutObjectRetention"));
    expect(retention.flatMap((s) => s.resources)).toEqual(["${local.audit_arn}"]);
    const holds = statements.filter(
      (s) => s.actions.includes("s3:PutObjectLegalHold") || s.actions.includes("s3:GetObjectLegalHold"),
    );
    expect(holds.flatMap((s) => s.actions).sort()).toEqual(["s3:GetObjectLegalHold", "s3:PutObjectLegalHold"]);
    expect(holds.flatMap((s) => s.resources)).toEqual(["${local.legal_hold_arns}"]);
    const text = readFileSync(join(infraRoot, "modules/iam/main.tf"), "utf8");
    expect(text).toContain("if prefix != var.audit_object_prefix");
    expect(text).toContain('audit_arn   = "${var.bucket_arn}/${var.audit_object_prefix}*"');
    expect(env("production").modules.get("iam")?.audit_object_prefix).toBe("${module.s3_dicom.audit_object_prefix}");
  });

  it("may set and read legal holds only on the prefixes of classes a hold can stop, never under audit/", () => {
    expect(mod("s3-dicom").locals.get("legal_hold_prefixes")).toEqual(legalHoldPrefixes());
    expect(legalHoldPrefixes()).toEqual(["medical-record/", "medical-imaging/", "hipaa-documentation/"]);
    expect(legalHoldPrefixes()).not.toContain(retentionPolicies.audit_security.s3Prefix);
    expect(mod("s3-dicom").outputs.get("legal_hold_prefixes")?.value).toBe("${local.legal_hold_prefixes}");
    const text = readFileSync(join(infraRoot, "modules/iam/main.tf"), "utf8");
    expect(text).toContain(
      'legal_hold_arns = [for prefix in var.legal_hold_prefixes : "${var.bucket_arn}/${prefix}*" if prefix != var.audit_object_prefix]',
    );
    for (const name of envNames)
      expect(env(name).modules.get("iam")?.legal_hold_prefixes).toBe("${module.s3_dicom.legal_hold_prefixes}");
  });

  it("scopes objects to the retention prefixes of the one bucket, and KMS to the one key through S3", () => {
    const text = readFileSync(join(infraRoot, "modules/iam/main.tf"), "utf8");
    expect(text).toContain('"${var.bucket_arn}/${prefix}*"');
    const doc = mod("iam").data.get("aws_iam_policy_document")?.get("presigner")?.[0] ?? {};
    const statements = statementsFromPolicyDocument(doc);
    expect(statements[0]?.resources).toEqual(["${local.object_arns}"]);
    expect(statements[1]?.resources).toEqual(["${var.bucket_arn}"]);
    expect(statements[2]?.resources).toEqual(["${var.kms_key_arn}"]);
    expect(JSON.stringify(doc)).toContain("kms:ViaService");
    expect(JSON.stringify(doc)).toContain("s3:prefix");
  });

  it("has no other IAM policy with an Allow wildcard anywhere in the infrastructure", () => {
    const problems: string[] = [];
    for (const [name, config] of configs) {
      for (const [docName, bodies] of config.data.get("aws_iam_policy_document") ?? []) {
        for (const body of bodies) {
          const allows = statementsFromPolicyDocument(body).filter((s) => s.effect === "Allow");
          for (const s of allows) {
            for (const a of s.actions) if (a.includes("*")) problems.push(`${name}/${docName}: ${a}`);
            for (const r of s.resources) if (r === "*") problems.push(`${name}/${docName}: resource *`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("ses smtp", () => {
  it("may only send, only through the one identity, only as the sender address", () => {
    const doc = mod("ses-smtp").data.get("aws_iam_policy_document")?.get("smtp")?.[0] ?? {};
    const statements = statementsFromPolicyDocument(doc);
    expect(checkLeastPrivilege(statements, ["ses:SendRawEmail"])).toEqual([]);
    expect(statements.flatMap((s) => s.actions)).toEqual(["ses:SendRawEmail"]);
    expect(statements[0]?.resources).toEqual(["${aws_sesv2_email_identity.sender.arn}"]);
    expect(JSON.stringify(doc)).toContain("ses:FromAddress");
    expect(JSON.stringify(doc)).toContain("${var.mail_from_address}");
  });

  it("hands the Worker SES SMTP credentials over TLS on 465, the password derived for the region", () => {
    const ses = mod("ses-smtp");
    expect(ses.outputs.get("smtp_password")?.value).toBe("${aws_iam_access_key.smtp.ses_smtp_password_v4}");
    expect(ses.outputs.get("smtp_username")?.value).toBe("${aws_iam_access_key.smtp.id}");
    expect(ses.locals.get("smtp_host")).toBe("email-smtp.${var.region}.amazonaws.com");
    const worker = mod("cloudflare-worker");
    const vars = worker.locals.get("worker_vars") as Record<string, string>;
    expect(vars).toMatchObject({ SMTP_PORT: "465", SMTP_SECURITY: "tls" });
    const secrets = worker.locals.get("worker_secrets") as Record<string, string>;
    expect(secrets).toMatchObject({ SMTP_USERNAME: "${var.smtp_username}", SMTP_PASSWORD: "${var.smtp_password}" });
    // Every mail variable the Worker reads reaches it, as a var or a secret.
    const envTs = readFileSync(join(repoRoot, "functions/env.ts"), "utf8");
    for (const name of ["SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM"]) {
      expect(envTs).toContain(`${name}?: string`);
      expect(name in vars || name in secrets, name).toBe(true);
    }
  });
});

describe("reference registries", () => {
  it("names the Worker to Crossref and NCBI in every environment, with an optional NCBI API key as a secret", () => {
    const worker = mod("cloudflare-worker");
    const vars = worker.locals.get("worker_vars") as Record<string, string>;
    expect(vars).toMatchObject({
      NCBI_TOOL: "${var.ncbi_tool}",
      REFERENCES_CONTACT_EMAIL: "${var.references_contact_email}",
    });
    expect(worker.variables.get("ncbi_tool")?.default).toBe("vitalis");
    expect(worker.variables.get("ncbi_api_key")?.sensitive).toBe(true);
    const secrets = worker.locals.get("worker_secrets") as Record<string, string>;
    expect(secrets).toMatchObject({ NCBI_API_KEY: "${var.ncbi_api_key}" });
    const envTs = readFileSync(join(repoRoot, "functions/env.ts"), "utf8");
    for (const name of ["NCBI_TOOL", "REFERENCES_CONTACT_EMAIL", "NCBI_API_KEY"])
      expect(envTs).toContain(`${name}?: string`);
    for (const env of ["production", "staging"]) {
      const main = readFileSync(join(repoRoot, `infra-terraform/envs/${env}/main.tf`), "utf8");
      expect(main, env).toMatch(/references_contact_email\s*=\s*var\.references_contact_email/);
      expect(main, env).toMatch(/ncbi_api_key\s*=\s*var\.ncbi_api_key/);
    }
  });
});

describe("cloudflare worker", () => {
  it("has the five cron triggers of wrangler.toml", () => {
    const worker = mod("cloudflare-worker");
    expect(worker.variables.get("cron_schedules")?.default).toEqual([
      "0 * * * *",
      "45 * * * *",
      "30 3 * * *",
      "15 4 * * *",
      "* * * * *",
    ]);
    const trigger = resource(worker, "cloudflare_workers_cron_trigger", "this");
    expect(trigger?.schedules).toContain("var.cron_schedules");
    expect(trigger?.script_name).toBe("${cloudflare_worker.this.name}");
  });

  it("rate-limits the login and MFA endpoints per IP at the edge", () => {
    const worker = mod("cloudflare-worker");
    expect(worker.variables.get("login_paths")?.default).toEqual([
      "/api/auth/login",
      "/api/auth/mfa",
      ...SITE_LOCALES.flatMap((entry) => [sitePaths.signIn(entry.locale), sitePaths.register(entry.locale)]),
    ]);
    const ruleset = resource(worker, "cloudflare_ruleset", "login_rate_limit") as {
      phase: string;
      kind: string;
      rules: Array<{ action: string; expression: string; ratelimit: { characteristics: string[] } }>;
    };
    expect(ruleset.phase).toBe("http_ratelimit");
    expect(ruleset.kind).toBe("zone");
    expect(ruleset.rules[0]?.action).toBe("block");
    expect(ruleset.rules[0]?.expression).toContain("http.request.uri.path in");
    expect(ruleset.rules[0]?.ratelimit.characteristics).toEqual(["cf.colo.id", "ip.src"]);
  });

  it("serves custom domains only (workers.dev off) and hands over exactly the secrets functions/env.ts reads", () => {
    const worker = mod("cloudflare-worker");
    const script = resource(worker, "cloudflare_worker", "this") as { subdomain: { enabled: boolean } };
    expect(script.subdomain.enabled).toBe(false);
    expect(resource(worker, "cloudflare_workers_custom_domain", "this")?.for_each).toBe("${toset(var.hostnames)}");
    const names = worker.locals.get("secret_names") as string[];
    expect(names).toEqual([
      "CLOUDFLARE_PURGE_TOKEN",
      "DATABASE_URL",
      "NCBI_API_KEY",
      "S3_ACCESS_KEY_ID",
      "S3_SECRET_ACCESS_KEY",
      "SMTP_PASSWORD",
      "SMTP_USERNAME",
      "UPSTASH_REDIS_REST_TOKEN",
      "UPSTASH_REDIS_REST_URL",
    ]);
    expect(Object.keys(worker.locals.get("worker_secrets") as object).sort()).toEqual(names);
    const envTs = join(repoRoot, "functions/env.ts");
    if (existsSync(envTs)) {
      const text = readFileSync(envTs, "utf8");
      for (const name of names) expect(text, `functions/env.ts reads ${name}`).toContain(`${name}?: string`);
    }
  });

  it("gives the Worker a token that may only purge its own zone's cache, and the zone to purge", () => {
    const worker = mod("cloudflare-worker");
    const token = resource(worker, "cloudflare_api_token", "cache_purge") as {
      policies: Array<{ effect: string; permission_groups: Array<{ id: string }>; resources: Record<string, string> }>;
    };
    expect(token.policies).toHaveLength(1);
    const [policy] = token.policies;
    expect(policy!.effect).toBe("allow");
    expect(policy!.permission_groups).toEqual([{ id: "${var.cache_purge_permission_group_id}" }]);
    expect(policy!.resources).toEqual({ "com.cloudflare.api.account.zone.${var.zone_id}": "*" });
    expect(worker.variables.get("cache_purge_permission_group_id")?.default).toBe("e17beae8b8cb423a99b1730f21238bed");
    expect((worker.locals.get("worker_secrets") as Record<string, string>).CLOUDFLARE_PURGE_TOKEN).toBe(
      "${cloudflare_api_token.cache_purge.value}",
    );
    expect((worker.locals.get("worker_vars") as Record<string, string>).CLOUDFLARE_ZONE_ID).toBe("${var.zone_id}");
  });

  it("agrees with wrangler.toml on the Worker name and, if declared there, the crons", () => {
    const wranglerPath = join(repoRoot, "wrangler.toml");
    if (!existsSync(wranglerPath)) return;
    const wrangler = readFileSync(wranglerPath, "utf8");
    const name = /^name\s*=\s*"([^"]+)"/m.exec(wrangler)?.[1];
    expect(env("production").variables.get("worker_name")?.default).toBe(name);
    expect(env("staging").variables.get("worker_name")?.default).toBe(`${name}-staging`);
    const crons = /^crons\s*=\s*\[([^\]]*)\]/m.exec(wrangler)?.[1];
    if (crons !== undefined) {
      const declared = [...crons.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
      expect(declared).toEqual(
        [...(mod("cloudflare-worker").variables.get("cron_schedules")?.default as string[])].sort(),
      );
    }
  });
});

describe("neon and upstash", () => {
  it("creates the application role without BYPASSRLS and outputs connection strings", () => {
    const neon = mod("neon");
    const sql = String(neon.locals.get("app_role_sql"));
    expect(sql).toContain("NOBYPASSRLS");
    expect(sql).toContain("NOSUPERUSER");
    expect(sql).not.toMatch(/\bBYPASSRLS\b/); // only NOBYPASSRLS
    expect(neon.resources.get("neon_role")).toBeUndefined(); // API roles join neon_superuser (BYPASSRLS)
    expect(String(neon.locals.get("app_database_url"))).toContain("@${local.pooled_host}/");
    expect(String(neon.locals.get("pooled_host"))).toContain("-pooler");
    expect(String(neon.locals.get("owner_database_url"))).toContain("sslmode=require");
    const project = resource(neon, "neon_project", "this") as { branch: Array<Record<string, string>> };
    expect(project.branch[0]).toMatchObject({
      role_name: "${var.owner_role_name}",
      database_name: "${var.database_name}",
    });
  });

  it("puts Redis next to the database with TLS on and eviction off", () => {
    const redis = resource(mod("upstash"), "upstash_redis_database", "this");
    expect(redis).toMatchObject({
      tls: true,
      eviction: false,
      region: "global",
      primary_region: "${var.primary_region}",
    });
    for (const name of envNames) {
      expect(env(name).variables.get("neon_region_id")?.default).toBe("aws-sa-east-1");
      expect(env(name).variables.get("upstash_primary_region")?.default).toBe("sa-east-1");
      expect(env(name).variables.get("aws_region")?.default).toBe("sa-east-1");
    }
  });
});

describe("README", () => {
  it("documents the deployment order, migrations, wrangler, secrets and the lifecycle generator", () => {
    const readme = readFileSync(join(infraRoot, "README.md"), "utf8");
    for (const needle of [
      "bootstrap",
      "terraform apply",
      "npm run db:migrate",
      "wrangler deploy",
      "wrangler secret bulk",
      "npx tsx scripts/generate-lifecycle.ts",
      "--check",
    ]) {
      expect(readme, needle).toContain(needle);
    }
    expect(readdirSync(infraRoot)).toContain("README.md");
  });
});
