/**
 * Static checks of the Terraform code, which cannot be planned here (no terraform binary or providers).
 * Files are parsed with @cdktf/hcl2json (`.tf`) or JSON.parse (`.tf.json`) into one configuration per
 * directory, and each checker returns a list of problems (empty = fine) so the tests can also feed
 * deliberately bad fixtures to the checkers and prove they catch them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "@cdktf/hcl2json";
import type { S3LifecycleRule } from "../../schema/retention-policies";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const infraRoot = join(repoRoot, "infra-terraform");

export type Json = Record<string, unknown>;

/** What the Worker's presigning identity may do (upload, multipart, download, delete, tag, list, SSE-KMS). */
export const presignerActions = [
  "s3:PutObject",
  "s3:GetObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
  "s3:PutObjectTagging",
  "s3:GetObjectTagging",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:GetObjectLegalHold",
  "s3:ListBucket",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:GenerateDataKey",
] as const;
type Body = Json;

/** A directory's configuration with every block normalised to arrays of bodies. */
export interface TerraformConfig {
  dir: string;
  files: string[];
  /** Raw text of each file, for reference checks the parsed JSON cannot answer. */
  texts: string[];
  resources: Map<string, Map<string, Body[]>>;
  data: Map<string, Map<string, Body[]>>;
  variables: Map<string, Body>;
  outputs: Map<string, Body>;
  modules: Map<string, Body>;
  locals: Map<string, unknown>;
  terraform: Body[];
  providers: Map<string, Body[]>;
}

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asBodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** Parses one file: HCL through hcl2json, `.tf.json` as JSON. Throws on a syntax error. */
export async function parseTerraformFile(fileName: string, contents: string): Promise<Json> {
  if (fileName.endsWith(".tf.json")) return JSON.parse(contents) as Json;
  return (await parse(fileName, contents)) as Json;
}

export function listFiles(dir: string, predicate: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...listFiles(path, predicate));
    else if (predicate(path)) found.push(path);
  }
  return found.sort();
}

export const isTerraformFile = (file: string): boolean => file.endsWith(".tf") || file.endsWith(".tf.json");

function addNested(target: Map<string, Map<string, Body[]>>, value: unknown): void {
  if (!isObject(value)) return;
  for (const [type, byName] of Object.entries(value)) {
    if (!isObject(byName)) continue;
    const names = target.get(type) ?? new Map<string, Body[]>();
    for (const [name, bodies] of Object.entries(byName))
      names.set(name, [...(names.get(name) ?? []), ...asBodies(bodies)]);
    target.set(type, names);
  }
}

/** Merges parsed files the way Terraform reads a module directory (all files of one directory). */
export function mergeTerraform(
  dir: string,
  parsed: Array<{ file: string; json: Json; text?: string }>,
): TerraformConfig {
  const config: TerraformConfig = {
    dir,
    files: parsed.map((p) => p.file),
    texts: parsed.map((p) => p.text ?? JSON.stringify(p.json)),
    resources: new Map(),
    data: new Map(),
    variables: new Map(),
    outputs: new Map(),
    modules: new Map(),
    locals: new Map(),
    terraform: [],
    providers: new Map(),
  };
  for (const { json } of parsed) {
    addNested(config.resources, json.resource);
    addNested(config.data, json.data);
    for (const [key, target] of [
      ["variable", config.variables],
      ["output", config.outputs],
      ["module", config.modules],
    ] as const) {
      const blocks = json[key];
      if (!isObject(blocks)) continue;
      for (const [name, bodies] of Object.entries(blocks)) {
        const [body] = asBodies(bodies);
        if (body) target.set(name, body);
      }
    }
    for (const localsBlock of asBodies(json.locals)) {
      for (const [name, value] of Object.entries(localsBlock)) config.locals.set(name, value);
    }
    config.terraform.push(...asBodies(json.terraform));
    if (isObject(json.provider)) {
      for (const [name, bodies] of Object.entries(json.provider)) config.providers.set(name, asBodies(bodies));
    }
  }
  return config;
}

/** Loads every `.tf` and `.tf.json` file directly inside `dir` (not subdirectories). */
export async function loadTerraformDir(dir: string): Promise<TerraformConfig> {
  const files = readdirSync(dir)
    .filter(isTerraformFile)
    .sort()
    .map((f) => join(dir, f));
  const parsed = await Promise.all(
    files.map(async (file) => {
      const text = readFileSync(file, "utf8");
      return { file, text, json: await parseTerraformFile(file, text) };
    }),
  );
  return mergeTerraform(dir, parsed);
}

export function resource(config: TerraformConfig, type: string, name: string): Body | undefined {
  return config.resources.get(type)?.get(name)?.[0];
}

export function resourcesOfType(config: TerraformConfig, type: string): Array<[string, Body]> {
  return [...(config.resources.get(type)?.entries() ?? [])].flatMap(([name, bodies]) =>
    bodies.map((body) => [name, body] as [string, Body]),
  );
}

function first(value: unknown): Body | undefined {
  return asBodies(value)[0];
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** The resource whose `bucket` argument points at aws_s3_bucket.<bucketName>. */
function forBucket(config: TerraformConfig, type: string, bucketName: string): Body[] {
  const ref = `\${aws_s3_bucket.${bucketName}.id}`;
  return resourcesOfType(config, type)
    .map(([, body]) => body)
    .filter((body) => body.bucket === ref);
}

// ------------------------------------------------------------------------------------------------
// Bucket security
// ------------------------------------------------------------------------------------------------

/** Private, owner-enforced, versioned, SSE-KMS with a bucket key, access-logged. */
export function checkBucketSecurity(config: TerraformConfig, bucketName: string): string[] {
  const problems: string[] = [];
  if (!resource(config, "aws_s3_bucket", bucketName)) return [`aws_s3_bucket.${bucketName} is missing`];

  const publicBlocks = forBucket(config, "aws_s3_bucket_public_access_block", bucketName);
  if (publicBlocks.length !== 1) problems.push(`expected one public access block for ${bucketName}`);
  for (const block of publicBlocks) {
    for (const flag of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) {
      if (block[flag] !== true) problems.push(`public access block ${flag} is not true`);
    }
  }

  const ownership = forBucket(config, "aws_s3_bucket_ownership_controls", bucketName);
  const ownershipRule = first(ownership[0]?.rule);
  if (ownershipRule?.object_ownership !== "BucketOwnerEnforced")
    problems.push("object ownership is not BucketOwnerEnforced");

  const versioning = first(forBucket(config, "aws_s3_bucket_versioning", bucketName)[0]?.versioning_configuration);
  if (versioning?.status !== "Enabled") problems.push("versioning is not Enabled");

  const sse = forBucket(config, "aws_s3_bucket_server_side_encryption_configuration", bucketName);
  const sseRule = first(sse[0]?.rule);
  const byDefault = first(sseRule?.apply_server_side_encryption_by_default);
  if (byDefault?.sse_algorithm !== "aws:kms") problems.push("default encryption is not aws:kms");
  if (typeof byDefault?.kms_master_key_id !== "string" || !byDefault.kms_master_key_id.includes("aws_kms_key.")) {
    problems.push("default encryption does not use a KMS key managed here");
  }
  if (sseRule?.bucket_key_enabled !== true) problems.push("bucket key is not enabled");

  if (forBucket(config, "aws_s3_bucket_logging", bucketName).length !== 1)
    problems.push("server access logging is not configured");

  for (const [type] of config.resources) {
    if (type === "aws_s3_bucket_acl") problems.push("ACL resources must not exist with BucketOwnerEnforced");
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// CORS
// ------------------------------------------------------------------------------------------------

export function checkCors(config: TerraformConfig, bucketName: string, originExpression: string): string[] {
  const problems: string[] = [];
  const cors = forBucket(config, "aws_s3_bucket_cors_configuration", bucketName);
  if (cors.length !== 1) return [`expected one CORS configuration for ${bucketName}, found ${cors.length}`];
  const rules = asBodies(cors[0]?.cors_rule);
  if (rules.length !== 1) problems.push(`expected exactly one CORS rule, found ${rules.length}`);
  for (const rule of rules) {
    const origins = stringList(rule.allowed_origins);
    if (origins.length !== 1 || origins[0] !== originExpression) {
      problems.push(`CORS allowed_origins must be exactly [${originExpression}], got ${JSON.stringify(origins)}`);
    }
    const methods = stringList(rule.allowed_methods).sort();
    if (JSON.stringify(methods) !== JSON.stringify(["GET", "PUT"])) {
      problems.push(`CORS allowed_methods must be PUT and GET, got ${JSON.stringify(methods)}`);
    }
    if (!stringList(rule.expose_headers).includes("ETag")) problems.push("CORS must expose ETag for multipart uploads");
    if (stringList(rule.allowed_headers).includes("*")) problems.push("CORS allowed_headers must not be *");
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// Lifecycle rules against the retention table
// ------------------------------------------------------------------------------------------------

function days(block: unknown, key: string): number | null {
  const body = first(block);
  const value = body?.[key];
  return typeof value === "number" ? value : null;
}

/** The lifecycle configuration's rules equal `expected` exactly (ids, prefixes, days). */
export function checkLifecycleRules(lifecycleConfiguration: Body | undefined, expected: S3LifecycleRule[]): string[] {
  if (!lifecycleConfiguration) return ["lifecycle configuration is missing"];
  const problems: string[] = [];
  const rules = asBodies(lifecycleConfiguration.rule);
  if (rules.length !== expected.length)
    problems.push(`expected ${expected.length} lifecycle rules, found ${rules.length}`);
  const byId = new Map(rules.map((rule) => [String(rule.id), rule]));
  for (const want of expected) {
    const rule = byId.get(want.id);
    if (!rule) {
      problems.push(`rule ${want.id} is missing`);
      continue;
    }
    if (rule.status !== "Enabled") problems.push(`rule ${want.id} is not Enabled`);
    const filter = first(rule.filter);
    if (filter?.prefix !== want.prefix)
      problems.push(`rule ${want.id} prefix ${String(filter?.prefix)} != ${want.prefix}`);
    const expiration = days(rule.expiration, "days");
    if (expiration !== want.expirationDays)
      problems.push(`rule ${want.id} expiration ${expiration} != ${want.expirationDays}`);
    const abort = days(rule.abort_incomplete_multipart_upload, "days_after_initiation");
    if (abort !== want.abortIncompleteMultipartUploadDays) {
      problems.push(
        `rule ${want.id} abort-incomplete-multipart ${abort} != ${want.abortIncompleteMultipartUploadDays}`,
      );
    }
    const noncurrent = days(rule.noncurrent_version_expiration, "noncurrent_days");
    if (noncurrent !== want.noncurrentVersionExpirationDays) {
      problems.push(`rule ${want.id} noncurrent expiration ${noncurrent} != ${want.noncurrentVersionExpirationDays}`);
    }
    if (rule.transition !== undefined) problems.push(`rule ${want.id} has a transition the table does not describe`);
  }
  for (const id of byId.keys()) {
    if (!expected.some((rule) => rule.id === id)) problems.push(`rule ${id} is not in the retention table`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// IAM least privilege
// ------------------------------------------------------------------------------------------------

export interface PolicyStatement {
  effect: "Allow" | "Deny";
  actions: string[];
  resources: string[];
  notActions: boolean;
  notResources: boolean;
}

/** Statements of an IAM policy JSON document (a string, as AWS and fixtures spell them). */
export function statementsFromPolicyJson(policyJson: string): PolicyStatement[] {
  const doc = JSON.parse(policyJson) as Json;
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return raw.filter(isObject).map((s) => ({
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: stringList(s.Action),
    resources: stringList(s.Resource),
    notActions: s.NotAction !== undefined,
    notResources: s.NotResource !== undefined,
  }));
}

/** Statements of a `data "aws_iam_policy_document"` block as parsed from HCL. */
export function statementsFromPolicyDocument(body: Body): PolicyStatement[] {
  return asBodies(body.statement).map((s) => ({
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: stringList(s.actions),
    resources: stringList(s.resources),
    notActions: s.not_actions !== undefined,
    notResources: s.not_resources !== undefined,
  }));
}

const wildcardResource = (resourceArn: string): boolean =>
  resourceArn.trim() === "*" ||
  resourceArn.includes('"*"') ||
  /^arn:aws:[a-z0-9-]*:[^:]*:[^:]*:\*$/.test(resourceArn) ||
  /^arn:aws:s3:::\*/.test(resourceArn) ||
  /^arn:aws:kms:[^:]*:[^:]*:(key\/)?\*$/.test(resourceArn);

/**
 * Allow statements grant only actions from `allowedActions`, never `*` or `service:*`, never on `*`.
 * Deny statements may be broad (they only take permissions away).
 */
export function checkLeastPrivilege(statements: PolicyStatement[], allowedActions: readonly string[]): string[] {
  const problems: string[] = [];
  if (statements.length === 0) problems.push("policy has no statements");
  statements.forEach((statement, index) => {
    if (statement.effect !== "Allow") return;
    if (statement.notActions) problems.push(`statement ${index}: NotAction in an Allow grants everything else`);
    if (statement.notResources) problems.push(`statement ${index}: NotResource in an Allow`);
    if (statement.actions.length === 0) problems.push(`statement ${index}: no actions`);
    if (statement.resources.length === 0) problems.push(`statement ${index}: no resources`);
    for (const action of statement.actions) {
      if (action.includes("*")) problems.push(`statement ${index}: wildcard action ${action}`);
      else if (!allowedActions.includes(action)) problems.push(`statement ${index}: action ${action} is not allowed`);
    }
    for (const resourceArn of statement.resources) {
      if (wildcardResource(resourceArn)) problems.push(`statement ${index}: wildcard resource ${resourceArn}`);
    }
  });
  return problems;
}

// ------------------------------------------------------------------------------------------------
// Variables, providers, backend, module wiring
// ------------------------------------------------------------------------------------------------

/** Every variable has a description; every variable that is not a bool or a map has a validation. */
export function checkVariables(config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const [name, body] of config.variables) {
    if (typeof body.description !== "string" || body.description.trim().length < 10) {
      problems.push(`${relative(repoRoot, config.dir)}: variable ${name} has no description`);
    }
    const type = String(body.type ?? "");
    const needsValidation = !/^\$\{(bool|map\(.*\))\}$/.test(type);
    if (needsValidation && asBodies(body.validation).length === 0) {
      problems.push(`${relative(repoRoot, config.dir)}: variable ${name} has no validation block`);
    }
  }
  return problems;
}

const pinnedVersion = /^(~>\s*\d+\.\d+(\.\d+)?|=?\s*\d+\.\d+\.\d+)$/;

/** required_providers entries each name a source and an exact or `~>` version. */
export function checkProviderPins(config: TerraformConfig, expectedSources: readonly string[]): string[] {
  const problems: string[] = [];
  const found = new Map<string, string>();
  for (const block of config.terraform) {
    for (const providers of asBodies(block.required_providers)) {
      for (const [local, spec] of Object.entries(providers)) {
        if (!isObject(spec)) {
          problems.push(`provider ${local} has no source/version object`);
          continue;
        }
        const version = typeof spec.version === "string" ? spec.version.trim() : "";
        if (!pinnedVersion.test(version))
          problems.push(`provider ${local} version "${version}" is not pinned (exact or ~>)`);
        found.set(String(spec.source), version);
      }
    }
  }
  for (const source of expectedSources) if (!found.has(source)) problems.push(`provider ${source} is not required`);
  return problems;
}

/** An S3 backend with encryption and locking (use_lockfile or a DynamoDB table). */
export function checkBackend(config: TerraformConfig): string[] {
  const backends = config.terraform.flatMap((block) => (isObject(block.backend) ? [block.backend] : []));
  const s3 = backends.flatMap((backend) => asBodies(backend.s3));
  if (s3.length !== 1) return [`expected one s3 backend, found ${s3.length}`];
  const problems: string[] = [];
  const [backend] = s3;
  if (backend?.encrypt !== true) problems.push("backend encrypt is not true");
  if (backend?.use_lockfile !== true && typeof backend?.dynamodb_table !== "string")
    problems.push("backend has no locking");
  if (typeof backend?.key !== "string" || backend.key.length === 0) problems.push("backend has no state key");
  return problems;
}

const moduleMetaArguments = new Set(["source", "version", "providers", "depends_on", "count", "for_each"]);

/**
 * Every module block points at an existing local module, passes all its required variables and no
 * unknown ones, and every `module.<name>.<output>` reference names an output the module declares.
 */
export async function checkModuleWiring(config: TerraformConfig): Promise<string[]> {
  const problems: string[] = [];
  const moduleConfigs = new Map<string, TerraformConfig>();
  for (const [name, body] of config.modules) {
    const source = typeof body.source === "string" ? body.source : "";
    const dir = resolve(config.dir, source);
    if (!source.startsWith("../") || !existsSync(dir) || readdirSync(dir).filter(isTerraformFile).length === 0) {
      problems.push(`module ${name}: source ${source} does not exist`);
      continue;
    }
    const child = await loadTerraformDir(dir);
    moduleConfigs.set(name, child);
    for (const [variable, declaration] of child.variables) {
      if (!("default" in declaration) && !(variable in body))
        problems.push(`module ${name}: required variable ${variable} not set`);
    }
    for (const argument of Object.keys(body)) {
      if (!moduleMetaArguments.has(argument) && !child.variables.has(argument)) {
        problems.push(`module ${name}: argument ${argument} is not a variable of ${source}`);
      }
    }
  }
  const text = config.texts.join("\n");
  for (const match of text.matchAll(/module\.([a-z0-9_]+)\.([a-z0-9_]+)/g)) {
    const [, moduleName = "", output = ""] = match;
    const child = moduleConfigs.get(moduleName);
    if (!config.modules.has(moduleName)) problems.push(`reference to undeclared module.${moduleName}`);
    else if (child && !child.outputs.has(output))
      problems.push(`module.${moduleName}.${output} is not an output of the module`);
  }
  return problems;
}

/** Every `var.x` used in a directory is declared there. */
export function checkVariableReferences(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const text = config.texts.join("\n");
  for (const match of text.matchAll(/\bvar\.([a-z0-9_]+)/g)) {
    const name = match[1] ?? "";
    if (!config.variables.has(name)) problems.push(`${relative(repoRoot, config.dir)}: var.${name} is not declared`);
  }
  return [...new Set(problems)];
}

// ------------------------------------------------------------------------------------------------
// Committed secrets
// ------------------------------------------------------------------------------------------------

const secretPatterns: Array<[string, RegExp]> = [
  ["AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  [
    "secret-like attribute with a literal value",
    /^\s*"?[A-Za-z0-9_]*(password|passwd|secret|token|api_key|apikey|private_key|access_key)[A-Za-z0-9_]*"?\s*[=:]\s*"(?!\$\{)[^"\s][^"]*"/im,
  ],
  ["connection string with an inline password", /postgres(ql)?:\/\/[^:/\s"'$]+:(?!\$\{)[^@\s"']+@/i],
  ["redis URL with an inline password", /rediss?:\/\/[^@\s"']*:(?!\$\{)[^@\s"']+@/i],
  // High-entropy tokens mix digits and both cases; identifiers such as resource type names do not.
  [
    "long key-like literal",
    /["'](?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[A-Z])(?=[A-Za-z0-9+/_-]*[a-z])[A-Za-z0-9+/_-]{32,}={0,2}["']/,
  ],
];

/** Names the kinds of secret found in a file's text (empty = clean). */
export function scanForSecrets(text: string): string[] {
  return secretPatterns.filter(([, pattern]) => pattern.test(text)).map(([kind]) => kind);
}

/** Files that must never be committed under infra-terraform (state and variable values). */
export function forbiddenInfraFiles(files: string[]): string[] {
  return files.filter((file) => /\.tfstate(\.backup)?$|\.tfvars(\.json)?$|\.terraform\//.test(file));
}
