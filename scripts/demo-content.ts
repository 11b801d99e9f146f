/**
 * The demo tenant's content, written through the Worker's own services (content, workflow, analysis,
 * credentials, privacy) so that revisions, audit events, analyses and the search index are the real thing.
 * Loaded by scripts/seed-demo.ts after the tenant and accounts exist. The services import the analysis
 * plugins as compiled WASM modules, so Node must run with `--import ./scripts/wasm-modules.mjs`.
 *
 * Idempotent: an article is identified by its locale and slug, the credential by its reviewer, the consent and
 * the LGPD request by their fictitious data subject; whatever already exists is left as it is.
 */
import { createHash, randomUUID } from "node:crypto";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Bindings } from "../functions/env.js";
import { getConfig } from "../functions/env.js";
import type { Actor, TenantContext } from "../functions/lib/actor.js";
import type { Database } from "../functions/lib/db.js";
import { createLogger } from "../functions/lib/logging.js";
import { createScope, type Clients, type Scope } from "../functions/scope.js";
import { analyseContent, analyseDueRevision } from "../functions/services/analysis.js";
import { createContent } from "../functions/services/content/crud.js";
import { slugify } from "../functions/services/content/kernel.js";
import { createTerm } from "../functions/services/content/taxonomy.js";
import { reviewCredential, submitCredential } from "../functions/services/identity/accounts.js";
import { createPrivacyRequest, recordConsent } from "../functions/services/privacy/index.js";
import { transitionContent } from "../functions/services/workflow.js";
import type { Role } from "../schema/memberships.js";
import type { WorkflowState } from "../schema/index.js";
import {
  DEMO_ARTICLES,
  DEMO_CONSENT,
  DEMO_CREDENTIAL,
  DEMO_PRIVACY_REQUEST,
  type DemoArticle,
} from "./demo-articles.js";

/** How far ahead the demo's scheduled article is set: the dev cron publishes it while you watch. */
export const SCHEDULED_AHEAD_MINUTES = 5;

export interface DemoMember {
  email: string;
  userId: string;
  roles: Role[];
}

export interface DemoContentResult {
  articlesCreated: number;
  articlesKept: number;
}

/** The steps from draft to each state, and who takes them (the workflow's own rules decide whether they may). */
const PATH: Record<Exclude<WorkflowState, "draft">, WorkflowState[]> = {
  in_review: ["in_review"],
  medical_review: ["in_review", "medical_review"],
  approved: ["in_review", "medical_review", "approved"],
  scheduled: ["in_review", "medical_review", "approved", "scheduled"],
  published: ["in_review", "medical_review", "approved", "published"],
  archived: ["in_review", "medical_review", "approved", "published", "archived"],
};
const ACTOR_FOR: Record<WorkflowState, "author" | "editor" | "reviewer"> = {
  draft: "editor",
  in_review: "author",
  medical_review: "editor",
  approved: "reviewer",
  scheduled: "editor",
  published: "editor",
  archived: "editor",
};

/** A translation group's id, the same on every run for the same tenant, so translations seeded later still link. */
function translationGroupId(tenantId: string, group: string): string {
  const hex = createHash("sha256").update(`vitalis-demo:${tenantId}:${group}`).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function unavailable(name: string): never {
  return new Proxy({} as never, {
    get() {
      throw new Error(`${name} is not available to the demo seed`);
    },
  });
}

export async function seedDemoContent(
  ownerDatabaseUrl: string,
  options: { tenant: TenantContext; members: DemoMember[]; environment: string },
): Promise<DemoContentResult> {
  // One connection: embedded PGlite (npm run dev without DATABASE_URL) serves one session at a time.
  const pool = new pg.Pool({ connectionString: ownerDatabaseUrl, max: 1 });
  pool.on("error", () => undefined);
  // node-postgres drizzle has the query-builder API of the Worker's Neon drizzle, hence the cast.
  const clients: Clients = {
    config: getConfig({ ENVIRONMENT: options.environment } as Bindings),
    db: drizzle({ client: pool }) as unknown as Database,
    // The seed writes; public reads over Neon's HTTP driver are the Worker's.
    http: unavailable("the HTTP read path"),
    redis: unavailable("Redis"),
    storage: unavailable("S3"),
    close: () => pool.end(),
  };
  const logger = createLogger({ script: "seed-demo" });
  const now = Math.floor(Date.now() / 1000);
  const scopeOf = (role: Role): Scope => {
    const member = options.members.find((candidate) => candidate.roles.includes(role));
    if (!member) throw new Error(`the demo has no ${role}`);
    const actor: Actor = {
      kind: "user",
      userId: member.userId,
      tenantId: options.tenant.id,
      roles: member.roles,
      amr: ["pwd", "otp", "mfa"],
      authTime: now,
      tokenId: randomUUID(),
      issuedAt: now,
    };
    return createScope(clients, { tenant: options.tenant, actor, requestId: null, logger });
  };
  const scopes = {
    admin: scopeOf("admin"),
    editor: scopeOf("editor"),
    author: scopeOf("author"),
    reviewer: scopeOf("medical_reviewer"),
    compliance: scopeOf("compliance_officer"),
  };
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => pool.query<R>(text, values);
  try {
    await verifyReviewer(scopes, options, query);
    const result = await seedArticles(scopes, options.tenant.id, query);
    await seedPrivacy(scopes.compliance, options.tenant.id, query);
    // The effects of these writes purge the Worker's page cache; nothing is cached before the Worker starts.
    for (const scope of Object.values(scopes)) scope.takeCommittedEvents();
    return result;
  } finally {
    await clients.close();
  }
}

type Query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<R>>;
type Scopes = Record<"admin" | "editor" | "author" | "reviewer" | "compliance", Scope>;

/** The reviewer declares a CRM and an admin verifies it, as in the credential queue. */
async function verifyReviewer(scopes: Scopes, options: { tenant: TenantContext }, query: Query): Promise<void> {
  const reviewer = scopes.reviewer.actor.kind === "user" ? scopes.reviewer.actor.userId : "";
  const existing = await query<{ status: string }>(
    "select status from professional_credentials where tenant_id = $1 and user_id = $2",
    [options.tenant.id, reviewer],
  );
  if (existing.rows[0]?.status === "verified") return;
  await submitCredential(scopes.reviewer, { ...DEMO_CREDENTIAL.input });
  await reviewCredential(scopes.admin, {
    userId: reviewer,
    status: "verified",
    note: DEMO_CREDENTIAL.note,
    // The reviewer's notice, like any review's; the demo site is served at localhost:8787.
    mail: { origin: "http://localhost:8787", locale: "pt-BR" },
  });
}

async function termIds(
  scope: Scope,
  taxonomy: "category" | "tag",
  names: readonly string[],
  query: Query,
  tenantId: string,
): Promise<string[]> {
  const table = taxonomy === "category" ? "categories" : "tags";
  const ids: string[] = [];
  for (const name of names) {
    const slug = slugify(name);
    const found = await query<{ id: string }>(`select id from ${table} where tenant_id = $1 and slug = $2`, [
      tenantId,
      slug,
    ]);
    ids.push(found.rows[0]?.id ?? (await createTerm(scope, taxonomy, { name, slug })).id);
  }
  return ids;
}

async function seedArticles(scopes: Scopes, tenantId: string, query: Query): Promise<DemoContentResult> {
  let articlesCreated = 0;
  let articlesKept = 0;
  for (const article of DEMO_ARTICLES) {
    const existing = await query<{ id: string }>(
      "select id from content_items where tenant_id = $1 and locale = $2 and slug = $3",
      [tenantId, article.locale, article.slug],
    );
    if (existing.rows[0]) {
      articlesKept += 1;
      continue;
    }
    await seedArticle(scopes, tenantId, article, query);
    articlesCreated += 1;
  }
  return { articlesCreated, articlesKept };
}

async function seedArticle(scopes: Scopes, tenantId: string, article: DemoArticle, query: Query): Promise<void> {
  const writer = article.writtenBy === "editor" ? scopes.editor : scopes.author;
  const created = await createContent(writer, "post", {
    title: article.title,
    slug: article.slug,
    excerpt: article.excerpt,
    bodyMarkdown: article.body,
    locale: article.locale,
    translationGroupId: translationGroupId(tenantId, article.group),
    categoryIds: await termIds(scopes.editor, "category", article.categories, query, tenantId),
    tagIds: await termIds(scopes.editor, "tag", article.tags, query, tenantId),
  });
  if (article.state === "draft") return;
  let version = created.version;
  for (const to of PATH[article.state]) {
    // The editor schedules or publishes an analysed revision; after approval the analysis runs again so that
    // it sees the responsible physician the publication will name.
    if (to === "scheduled" || to === "published") await analyseContent(scopes.editor, "post", created.id);
    const actor = ACTOR_FOR[to] === "author" && article.writtenBy === "editor" ? "editor" : ACTOR_FOR[to];
    const scope = scopes[actor];
    const moved = await transitionContent(
      scope,
      "post",
      created.id,
      {
        to,
        ...(to === "scheduled"
          ? { scheduledAt: new Date(Date.now() + SCHEDULED_AHEAD_MINUTES * 60_000).toISOString() }
          : {}),
      },
      version,
    );
    version = moved.version;
    await analyseOnEntry(scope);
  }
}

/**
 * What the Worker's `content.analysis_due` listener does after a transition into review (functions/effects.ts):
 * the entered revision is analysed, so approval finds its analysis. Other events (the page-cache purge) have
 * nothing to do before the Worker runs.
 */
async function analyseOnEntry(scope: Scope): Promise<void> {
  for (const event of scope.takeCommittedEvents()) {
    if (event.type === "content.analysis_due") await analyseDueRevision(scope, event);
  }
}

/** A reader's newsletter consent and their LGPD access request, both fictitious, recorded by the compliance officer. */
async function seedPrivacy(scope: Scope, tenantId: string, query: Query): Promise<void> {
  const subject = await query<{ consents: string; requests: string }>(
    `select (select count(*) from consents c where c.subject_id = s.id) as consents,
            (select count(*) from privacy_requests r where r.subject_id = s.id) as requests
       from data_subjects s where s.tenant_id = $1 and s.email = $2`,
    [tenantId, DEMO_CONSENT.subject.email],
  );
  if (Number(subject.rows[0]?.consents ?? 0) === 0) await recordConsent(scope, DEMO_CONSENT);
  if (Number(subject.rows[0]?.requests ?? 0) === 0) await createPrivacyRequest(scope, DEMO_PRIVACY_REQUEST);
}
