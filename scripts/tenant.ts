/**
 * The platform operator's command line: the same services as `/api/platform/*` (functions/services/platform),
 * through the operator's own database login.
 *
 *   npm run tenant:create -- --slug <slug> --name <name> --hostname <host> --admin-email <email> [--locale pt-BR|en|es] [--origin <url>]
 *   npm run tenant:list
 *   npm run tenant:hostname -- add --slug <slug> --hostname <host> [--primary]
 *   npm run tenant:hostname -- remove --slug <slug> --hostname <host>
 *   npm run tenant:suspend -- --slug <slug> --reason <text>
 *   npm run tenant:resume -- --slug <slug> --reason <text>
 *   npm run user:disable -- --email <email> --reason <text>
 *   npm run user:enable -- --email <email> --reason <text>
 *   (add --json for a JSON answer)
 *
 * Reads the Worker's variables from the environment: PLATFORM_DATABASE_URL (a login granted `vitalis_platform`),
 * NEON_WS_PROXY where a local proxy stands in for Neon's, the `auth` secrets (MFA_ENCRYPTION_KEY seals the
 * invitation link in the outbox) and, for user:disable, the Upstash ones. With PLATFORM_DATABASE_URL unset, the
 * variables `npm run dev` wrote to .local-cloud/dev.vars are used. Exit status: 0 done, 1 refused, 2 usage.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { neonConfig } from "@neondatabase/serverless";
import { WebSocket } from "ws";
import type { z } from "zod";
import { type Bindings, getConfig, requireSection } from "../functions/env";
import { AppError } from "../functions/lib/errors";
import { createLogger } from "../functions/lib/logging";
import { createPlatformScope, openClients, type PlatformScope } from "../functions/scope";
import { takePlatformEvents } from "../functions/services/platform/events";
import { addHostname, removeHostname } from "../functions/services/platform/hostnames";
import { createTenant, listTenants, setTenantStatus } from "../functions/services/platform/tenants";
import { disableUserEverywhere, enableUserEverywhere } from "../functions/services/platform/users";
import {
  createTenantSchema,
  hostnameChangeSchema,
  statusChangeSchema,
  tenantSlugSchema,
  type TenantView,
  userByEmailSchema,
} from "../functions/shapes/platform";

const DEV_VARS = fileURLToPath(new URL("../.local-cloud/dev.vars", import.meta.url));

class UsageError extends Error {}

const OPTIONS = {
  slug: { type: "string" },
  name: { type: "string" },
  hostname: { type: "string" },
  "admin-email": { type: "string" },
  locale: { type: "string" },
  origin: { type: "string" },
  primary: { type: "boolean" },
  email: { type: "string" },
  reason: { type: "string" },
  json: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** Validates with the API's own schema; a failing field is a usage error naming the option. */
function parse<T extends z.ZodType>(schema: T, input: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
  if (!result.success) {
    const option = (path: PropertyKey[]) =>
      path.map((key) => String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    throw new UsageError(
      result.error.issues.map((issue) => `--${option(issue.path).join(".")}: ${issue.message}`).join("\n"),
    );
  }
  return result.data;
}

function describeTenant(tenant: TenantView): string {
  const hosts = tenant.hostnames.map((host) => (host.primary ? `${host.hostname} (primary)` : host.hostname));
  return `${tenant.slug}  ${tenant.status.padEnd(9)}  ${tenant.name}  [${hosts.join(", ")}]  ${tenant.id}`;
}

/** Runs one command; returns what to print (text, or the JSON answer with --json). */
async function run(
  platform: PlatformScope,
  command: string[],
  values: Values,
): Promise<{ json: unknown; text: string }> {
  const [name, sub] = command;
  switch (name) {
    case "create": {
      const created = await createTenant(
        platform,
        parse(createTenantSchema, {
          slug: values.slug,
          name: values.name,
          hostname: values.hostname,
          adminEmail: values["admin-email"],
          locale: values.locale,
          origin: values.origin,
        }),
      );
      return {
        json: created,
        text: [
          `Tenant ${created.tenant.slug} created: ${describeTenant(created.tenant)}`,
          `Invitation for ${created.invitation.email} queued; the outbox job e-mails it within a minute. It expires ${created.invitation.expiresAt}.`,
          "Invitation link (single use, shown only now):",
          `  ${created.invitation.link}`,
        ].join("\n"),
      };
    }
    case "list": {
      const tenants = await listTenants(platform);
      return { json: { tenants }, text: tenants.map(describeTenant).join("\n") || "No tenants." };
    }
    case "hostname": {
      if (sub !== "add" && sub !== "remove") throw new UsageError("tenant:hostname needs add or remove");
      const change = parse(hostnameChangeSchema, { hostname: values.hostname, primary: values.primary });
      const tenant =
        sub === "add"
          ? await addHostname(platform, { slug: parseSlug(values), ...change })
          : await removeHostname(platform, { slug: parseSlug(values), hostname: change.hostname });
      return { json: tenant, text: describeTenant(tenant) };
    }
    case "suspend":
    case "resume": {
      const { reason } = parse(statusChangeSchema, { reason: values.reason });
      const status = name === "suspend" ? "suspended" : "active";
      const tenant = await setTenantStatus(platform, { slug: parseSlug(values), status, reason });
      return { json: tenant, text: describeTenant(tenant) };
    }
    case "user-disable":
    case "user-enable": {
      const input = parse(userByEmailSchema, { email: values.email, reason: values.reason });
      const change =
        name === "user-disable"
          ? await disableUserEverywhere(platform, input)
          : await enableUserEverywhere(platform, input);
      return {
        json: change,
        text:
          `${change.email} is ${change.status} everywhere` +
          (name === "user-disable" ? `; ${change.sessionsRevoked} session(s) revoked` : "") +
          `; audited in: ${change.tenants.join(", ") || "no tenant (no membership)"}.`,
      };
    }
    default:
      throw new UsageError(`unknown command ${name ?? "(none)"}`);
  }
}

function parseSlug(values: Values): string {
  const result = tenantSlugSchema.safeParse(values.slug);
  if (!result.success) throw new UsageError(`--slug: ${result.error.issues[0]?.message ?? "is required"}`);
  return result.data;
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const config = getConfig(env as Bindings);
  const database = requireSection(config, "platform").database;
  if (!database) throw new UsageError("PLATFORM_DATABASE_URL is not set (a login granted vitalis_platform).");
  // Node has no WebSocket the Neon driver accepts by default; the Worker has its own.
  neonConfig.webSocketConstructor = WebSocket;
  const clients = openClients(config, database);
  const { platform, scopes } = createPlatformScope(clients, {
    actor: { kind: "platform", via: "cli" },
    requestId: null,
    logger: createLogger({ operator: "cli" }),
  });
  try {
    const result = await run(platform, positionals, values);
    console.log(values.json ? JSON.stringify(result.json, null, 2) : result.text);
    const unhandled = takePlatformEvents(scopes);
    if (unhandled.length > 0) throw new Error(`effects not delivered: ${unhandled.map((e) => e.type).join(", ")}`);
    return 0;
  } finally {
    await clients.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.env.PLATFORM_DATABASE_URL && existsSync(DEV_VARS)) {
    process.loadEnvFile(DEV_VARS);
    console.error(`(using the local variables in ${DEV_VARS})`);
  }
  try {
    process.exitCode = await main(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === "TypeError" && "code" in error)) {
      console.error(`usage error: ${error.message}\n(see the top of scripts/tenant.ts for the commands)`);
      process.exitCode = 2;
    } else if (error instanceof AppError && error.expose) {
      console.error(`refused (${error.code}): ${error.detail ?? error.message}`);
      process.exitCode = 1;
    } else {
      console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
