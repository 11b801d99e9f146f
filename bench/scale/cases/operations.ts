/**
 * The operation cases of issue #14's table: the audit verification's answer, publishing one post (its purge work)
 * and sign-in while the retention sweep runs, and while the audit verification runs (each its hourly cron trigger in
 * a workerd of its own), beside sign-in on an idle tenant.
 */
import { createUser, type TestUser } from "../../../test/support/auth.js";
import { createWorker, type TestWorker } from "../../../test/support/worker.js";
import type { ScaleCase, ScaleContext } from "../case.js";

// ---------------------------------------------------------------------------------------------------
// Publishing: approved posts with a clean analysis of their revision, published one a sample
// ---------------------------------------------------------------------------------------------------

let approvedIds: string[] = [];

/**
 * `count` approved pt-BR posts, each in two categories and three tags (so its purge names lists), with a revision
 * and a stored analysis of it without blocking findings: what the publish gate asks for.
 */
async function insertApproved(ctx: ScaleContext, count: number): Promise<string[]> {
  const { admin, tenant } = ctx;
  const rows = await admin.query<{ id: string }>(
    `insert into content_items (tenant_id, type, title, slug, body_markdown, body_html, excerpt, locale, author_id,
       state, compliance_level)
     select $1::uuid, 'post', 'Publicação ' || g, 'publicacao-' || $3 || '-' || g, 'Texto.', '<p>Texto.</p>', '',
       'pt-BR', $2::uuid, 'approved', 'public'
     from generate_series(1, $4) g returning id`,
    [tenant.id, tenant.authorIds[0], Date.now().toString(36), count],
  );
  // A statement of its own: an update cannot see rows another part of the same statement inserted.
  await admin.query(
    `with revised as (
       insert into content_revisions (tenant_id, content_id, version, author_id, snapshot)
       select $1, i, 1, $2, '{}'::jsonb from unnest($3::uuid[]) i returning id, content_id),
     analysed as (
       insert into content_analyses (tenant_id, revision_id, stage, output, blocking)
       select $1, id, 'lgpd-analyzer', '{"findings": []}'::jsonb, false from revised)
     update content_items c set current_revision_id = r.id from revised r where c.id = r.content_id`,
    [tenant.id, tenant.authorIds[0], rows.rows.map((row) => row.id)],
  );
  const ids = rows.rows.map((row) => row.id);
  await admin.query(
    `insert into content_item_categories (tenant_id, content_id, category_id)
     select $1, i, c.id from unnest($2::uuid[]) i, (select id from categories where tenant_id = $1 order by slug limit 2) c`,
    [tenant.id, ids],
  );
  await admin.query(
    `insert into content_item_tags (tenant_id, content_id, tag_id)
     select $1, i, t.id from unnest($2::uuid[]) i, (select id from tags where tenant_id = $1 order by slug limit 3) t`,
    [tenant.id, ids],
  );
  return ids;
}

// ---------------------------------------------------------------------------------------------------
// Sign-in, idle and during a retention sweep
// ---------------------------------------------------------------------------------------------------

let staff: TestUser | null = null;

async function signInOnce(ctx: ScaleContext): Promise<void> {
  await ctx.request("/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: staff!.email, password: staff!.password }),
  });
}

/** Items due for deletion a refill adds: twenty of the sweep's 50-item batches. */
const DUE_PER_REFILL = 1_000;

/** Medical images whose retention (20 years from the last entry) ended: what the sweep deletes. */
async function insertDueImages(ctx: ScaleContext, count: number): Promise<void> {
  const { admin, tenant } = ctx;
  await admin.query(
    `with made as (
       insert into uploads (tenant_id, created_by, kind, filename, content_type, size, sha256, pending_key,
         retention_class, status, expires_at, created_at, finished_at)
       select $1::uuid, $2::uuid, 'dicom', 'antigo-' || g || '.dcm', 'application/dicom', 2048,
         md5(g::text) || md5(g::text), 'upload-pending/' || $1::text || '/antigo-' || $3 || '-' || g,
         'medical_imaging', 'completed', now() - interval '22 years' + interval '1 day', now() - interval '22 years',
         now() - interval '22 years'
       from generate_series(1, $4) g
       returning id, kind, filename, content_type, size, sha256, pending_key, retention_class, created_at)
     insert into media_items (tenant_id, upload_id, created_by, kind, filename, content_type, size, sha256,
       object_key, retention_class, last_entry_at, created_at)
     select $1, id, $2, kind, filename, content_type, size, sha256,
       replace(pending_key, 'upload-pending', 'medical-imaging'), retention_class, created_at, created_at from made`,
    [tenant.id, tenant.authorIds[0], Date.now().toString(36), count],
  );
}

/**
 * A cron trigger kept running as in production: in a workerd process of its own (the Worker's scheduled handler),
 * never in the bench's process, which sends the sign-ins and would otherwise time its own job work into them.
 * Fired again, after `refill`, whenever its run finishes.
 */
function background(cron: string, refill?: (ctx: ScaleContext) => Promise<void>) {
  let worker: TestWorker | null = null;
  let running: { done: boolean; promise: Promise<unknown> } | null = null;
  let runs = 0;
  return {
    async keep(ctx: ScaleContext): Promise<void> {
      if (running && !running.done) return;
      await running?.promise;
      await refill?.(ctx);
      worker ??= await createWorker(ctx.stack.environment);
      const trigger = await worker.mf.getWorker();
      const run = { done: false, promise: Promise.resolve() as Promise<unknown> };
      run.promise = trigger.scheduled({ cron }).finally(() => {
        run.done = true;
      });
      running = run;
      runs += 1;
    },
    start(ctx: ScaleContext): Promise<void> {
      runs = 0;
      return this.keep(ctx);
    },
    async stop(): Promise<void> {
      await running?.promise;
      await worker?.dispose();
      worker = null;
      running = null;
      if (runs === 0) throw new Error(`no run of "${cron}" went on beside the samples`);
    },
  };
}

/** The retention sweep's trigger (with the light hourly checks), with more due items before each run. */
const sweep = background("0 * * * *", (ctx) => insertDueImages(ctx, DUE_PER_REFILL));
/** The audit verification's trigger: each run re-checks up to 100,000 events of the chain (the rolling re-check). */
const verification = background("45 * * * *");

/** Sign-in while `job` runs beside it, timed alone (not the job's refills). */
function signInDuring(name: string, job: ReturnType<typeof background>): ScaleCase {
  return {
    name,
    p95Against: "sign-in (idle)",
    setup: (ctx) => job.start(ctx),
    async run(ctx) {
      await job.keep(ctx);
      const started = performance.now();
      await signInOnce(ctx);
      return performance.now() - started;
    },
    teardown: () => job.stop(),
  };
}

export default [
  {
    name: "audit GET /api/audit/verify",
    async setup(ctx) {
      // The hourly verification job (its own trigger): the answer is the stored result of that run.
      await (await ctx.worker.mf.getWorker()).scheduled({ cron: "45 * * * *" });
      const first = await ctx.request("/api/audit/verify", {
        headers: { authorization: `Bearer ${ctx.tokens.officer}` },
      });
      const result = JSON.parse(first.body) as { status?: string; ok?: boolean };
      if (result.ok !== true) throw new Error(`audit verification is not ok: ${first.body.slice(0, 200)}`);
    },
    async run(ctx) {
      await ctx.request("/api/audit/verify", { headers: { authorization: `Bearer ${ctx.tokens.officer}` } });
    },
  },
  {
    name: "publish one post (purge)",
    async setup(ctx) {
      approvedIds = await insertApproved(ctx, ctx.warmUp + ctx.samples);
    },
    async run(ctx, index) {
      const id = approvedIds[index];
      if (!id) throw new Error("publish case: no approved post left");
      await ctx.request(`/api/posts/${id}/transitions`, {
        method: "POST",
        headers: { authorization: `Bearer ${ctx.tokens.editor}`, "content-type": "application/json" },
        body: JSON.stringify({ to: "published" }),
      });
    },
  },
  {
    name: "sign-in (idle)",
    async setup(ctx) {
      staff = await createUser(ctx.admin, ctx.tenant, { roles: ["editor"] });
    },
    async run(ctx) {
      await signInOnce(ctx);
    },
  },
  signInDuring("sign-in during a retention sweep", sweep),
  signInDuring("sign-in during the audit verification", verification),
] satisfies ScaleCase[];
