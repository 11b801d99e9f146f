/**
 * The checkers must be able to fail: each gets a deliberately bad fixture and must name the problem.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lifecycleRulesFromPolicies, retentionPolicies } from "../../schema/retention-policies";
import { renderLifecycleTerraform } from "../../scripts/generate-lifecycle";
import {
  checkBackend,
  checkBucketSecurity,
  checkCors,
  checkLeastPrivilege,
  checkLifecycleRules,
  checkModuleWiring,
  checkVariableReferences,
  checkProviderPins,
  checkVariables,
  forbiddenInfraFiles,
  infraRoot,
  mergeTerraform,
  parseTerraformFile,
  presignerActions,
  scanForSecrets,
  statementsFromPolicyDocument,
  statementsFromPolicyJson,
  type Json,
} from "./terraform-checks";

async function configFrom(hcl: string, dir = "/fixture") {
  const json = await parseTerraformFile("fixture.tf", hcl);
  return mergeTerraform(dir, [{ file: "fixture.tf", json, text: hcl }]);
}

const badPolicyJson = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "s3:*", Resource: "*" },
    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutBucketPolicy"], Resource: "arn:aws:s3:::vitalis-dicom/*" },
    { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "arn:aws:kms:sa-east-1:123456789012:key/*" },
    { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::vitalis-dicom" },
  ],
});

const goodPolicyJson = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::vitalis-dicom/media/*"] },
    { Effect: "Deny", Action: "s3:*", Resource: "*" },
  ],
});

describe("least-privilege checker", () => {
  it("catches wildcard actions, wildcard resources, unlisted actions and NotAction in a bad policy JSON", () => {
    const problems = checkLeastPrivilege(statementsFromPolicyJson(badPolicyJson), presignerActions);
    expect(problems).toContain("statement 0: wildcard action s3:*");
    expect(problems).toContain("statement 0: wildcard resource *");
    expect(problems).toContain("statement 1: action s3:PutBucketPolicy is not allowed");
    expect(problems).toContain("statement 2: wildcard resource arn:aws:kms:sa-east-1:123456789012:key/*");
    expect(problems).toContain("statement 3: NotAction in an Allow grants everything else");
  });

  it("accepts a scoped policy (broad Deny statements only take permissions away)", () => {
    expect(checkLeastPrivilege(statementsFromPolicyJson(goodPolicyJson), presignerActions)).toEqual([]);
  });

  it("catches the same mistakes in an HCL policy document", async () => {
    const config = await configFrom(`
      data "aws_iam_policy_document" "bad" {
        statement {
          actions   = ["s3:Get*"]
          resources = ["*"]
        }
      }`);
    const doc = config.data.get("aws_iam_policy_document")?.get("bad")?.[0] ?? {};
    expect(checkLeastPrivilege(statementsFromPolicyDocument(doc), presignerActions)).toEqual([
      "statement 0: wildcard action s3:Get*",
      "statement 0: wildcard resource *",
    ]);
  });
});

describe("bucket and CORS checkers", () => {
  const badBucket = `
    resource "aws_s3_bucket" "dicom" { bucket = "x" }
    resource "aws_s3_bucket_public_access_block" "dicom" {
      bucket                  = aws_s3_bucket.dicom.id
      block_public_acls       = true
      block_public_policy     = false
      ignore_public_acls      = true
      restrict_public_buckets = true
    }
    resource "aws_s3_bucket_ownership_controls" "dicom" {
      bucket = aws_s3_bucket.dicom.id
      rule { object_ownership = "ObjectWriter" }
    }
    resource "aws_s3_bucket_versioning" "dicom" {
      bucket = aws_s3_bucket.dicom.id
      versioning_configuration { status = "Suspended" }
    }
    resource "aws_s3_bucket_server_side_encryption_configuration" "dicom" {
      bucket = aws_s3_bucket.dicom.id
      rule {
        apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
      }
    }
    resource "aws_s3_bucket_acl" "dicom" {
      bucket = aws_s3_bucket.dicom.id
      acl    = "public-read"
    }
    resource "aws_s3_bucket_cors_configuration" "dicom" {
      bucket = aws_s3_bucket.dicom.id
      cors_rule {
        allowed_origins = ["*"]
        allowed_methods = ["PUT", "GET", "DELETE"]
        allowed_headers = ["*"]
      }
    }`;

  it("names every weakness of a public, unencrypted, unversioned bucket", async () => {
    const problems = checkBucketSecurity(await configFrom(badBucket), "dicom");
    expect(problems).toEqual(
      expect.arrayContaining([
        "public access block block_public_policy is not true",
        "object ownership is not BucketOwnerEnforced",
        "versioning is not Enabled",
        "default encryption is not aws:kms",
        "bucket key is not enabled",
        "server access logging is not configured",
        "ACL resources must not exist with BucketOwnerEnforced",
      ]),
    );
    expect(checkBucketSecurity(await configFrom(badBucket), "other")).toEqual(["aws_s3_bucket.other is missing"]);
  });

  it("rejects a wildcard origin, extra methods, wildcard headers and a missing ETag", async () => {
    expect(checkCors(await configFrom(badBucket), "dicom", "${var.admin_origin}")).toEqual([
      'CORS allowed_origins must be exactly [${var.admin_origin}], got ["*"]',
      'CORS allowed_methods must be PUT and GET, got ["DELETE","GET","PUT"]',
      "CORS must expose ETag for multipart uploads",
      "CORS allowed_headers must not be *",
    ]);
  });
});

describe("lifecycle checker", () => {
  const expected = lifecycleRulesFromPolicies();
  const generated = renderLifecycleTerraform() as {
    resource: { aws_s3_bucket_lifecycle_configuration: { dicom: Json } };
  };
  const good = generated.resource.aws_s3_bucket_lifecycle_configuration.dicom;

  it("accepts the generated rules", () => {
    expect(checkLifecycleRules(good, expected)).toEqual([]);
  });

  it("catches a hand-edited rule set: shortened medical records, a missing class, an unknown rule", () => {
    const bad = JSON.parse(JSON.stringify(good)) as { rule: Array<Record<string, unknown>> };
    const medical = bad.rule.find((r) => r.id === "medical_record")!;
    medical.expiration = [{ days: 365 }];
    medical.abort_incomplete_multipart_upload = [];
    bad.rule = bad.rule.filter((r) => r.id !== "media" && r.id !== "general_media");
    bad.rule.push({ id: "everything", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 1 }] });
    const problems = checkLifecycleRules(bad, expected);
    expect(problems).toContain("rule medical_record expiration 365 != 7671");
    expect(problems).toContain("rule medical_record abort-incomplete-multipart null != 1");
    expect(problems).toContain("rule general_media is missing");
    expect(problems).toContain("rule everything is not in the retention table");
  });

  it("catches a generated file that drifted from a changed table", () => {
    const changed = {
      ...retentionPolicies,
      upload_incomplete: { ...retentionPolicies.upload_incomplete, maxAgeDays: 5 },
    };
    expect(checkLifecycleRules(good, lifecycleRulesFromPolicies(changed))).toEqual([
      "rule upload_incomplete expiration 2 != 5",
    ]);
  });
});

describe("variables, providers and backend checkers", () => {
  it("flag a variable without description or validation, an unpinned provider and an unlocked backend", async () => {
    const config = await configFrom(`
      terraform {
        backend "s3" {
          bucket = "state"
          key    = "x.tfstate"
        }
        required_providers {
          aws  = { source = "hashicorp/aws", version = ">= 5.0" }
          neon = { source = "kislerdm/neon" }
        }
      }
      variable "bucket_name" {
        type = string
      }
      variable "enabled" {
        description = "A flag with a proper description."
        type        = bool
      }`);
    const variableProblems = checkVariables(config);
    expect(variableProblems.filter((p) => p.endsWith("variable bucket_name has no description"))).toHaveLength(1);
    expect(variableProblems.filter((p) => p.endsWith("variable bucket_name has no validation block"))).toHaveLength(1);
    expect(variableProblems).toHaveLength(2); // the described bool needs no validation
    expect(checkProviderPins(config, ["hashicorp/aws", "kislerdm/neon", "upstash/upstash"])).toEqual([
      'provider aws version ">= 5.0" is not pinned (exact or ~>)',
      'provider neon version "" is not pinned (exact or ~>)',
      "provider upstash/upstash is not required",
    ]);
    expect(checkBackend(config)).toEqual(["backend encrypt is not true", "backend has no locking"]);
  });
});

describe("module wiring checker", () => {
  it("catches a missing module, a missing required variable, an unknown argument and an unknown output", async () => {
    const config = await configFrom(
      `
      module "neon" {
        source      = "../../modules/neon"
        region_id   = "aws-sa-east-1"
        colour      = "blue"
      }
      module "ghost" {
        source = "../../modules/does-not-exist"
      }
      output "url" {
        value     = module.neon.connection_string
        sensitive = true
      }
      output "other" {
        value = module.redis.rest_url
      }
      output "region" {
        value = var.region
      }`,
      join(infraRoot, "envs", "fixture"),
    );
    const problems = await checkModuleWiring(config);
    expect(problems).toEqual(
      expect.arrayContaining([
        "module neon: required variable project_name not set",
        "module neon: argument colour is not a variable of ../../modules/neon",
        "module ghost: source ../../modules/does-not-exist does not exist",
        "module.neon.connection_string is not an output of the module",
        "reference to undeclared module.redis",
      ]),
    );
    expect(checkVariableReferences(config)).toHaveLength(1);
    expect(checkVariableReferences(config)[0]).toMatch(/var\.region is not declared$/);
  });
});

describe("secret scanner", () => {
  it("finds committed credentials", () => {
    const fixtures: Array<[string, string]> = [
      ['password = "hunter2-correct-horse"', "secret-like attribute with a literal value"],
      ['  api_key = "upstash-management-key-value"', "secret-like attribute with a literal value"],
      ['"secret_access_key": "abc/def+ghi"', "secret-like attribute with a literal value"],
      ["aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AWS access key id"],
      ["-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----", "private key"],
      [
        'url = "postgresql://vitalis_app:s3cr3t@ep-x.sa-east-1.aws.neon.tech/vitalis"',
        "connection string with an inline password",
      ],
      ['token_value = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYabcdef"', "long key-like literal"],
    ];
    for (const [text, kind] of fixtures) expect(scanForSecrets(text), text).toContain(kind);
  });

  it("accepts references, interpolations and prose", () => {
    for (const text of [
      "password = var.db_password",
      'password = "${random_password.app.result}"',
      'database_url = "postgresql://${var.user}:${random_password.app.result}@${local.host}/db"',
      'description = "Secret access key of the presigning IAM user (S3_SECRET_ACCESS_KEY)."',
      "S3_SECRET_ACCESS_KEY     = var.s3_secret_access_key",
    ]) {
      expect(scanForSecrets(text), text).toEqual([]);
    }
  });

  it("flags state and tfvars files", () => {
    expect(forbiddenInfraFiles(["a/terraform.tfstate", "b/prod.tfvars", "c/main.tf", "d/x.auto.tfvars.json"])).toEqual([
      "a/terraform.tfstate",
      "b/prod.tfvars",
      "d/x.auto.tfvars.json",
    ]);
  });

  it("the HCL parser rejects broken syntax (so 'every file parses' can fail)", async () => {
    await expect(
      parseTerraformFile("broken.tf", 'resource "aws_s3_bucket" "x" {\n  bucket = \n'),
    ).rejects.toBeDefined();
    await expect(parseTerraformFile("broken.tf.json", "{ not json")).rejects.toBeDefined();
  });
});
