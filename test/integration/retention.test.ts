import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import type { Pace } from "../../functions/lib/pace.js";
import { appendAudit } from "../../functions/services/audit.js";
import { runRetentionSweep } from "../../functions/services/retention.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, seedTenant, tenantScope } from "../support/db.js";
import { insertMedia, testS3, yearsAgo } from "../support/media.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let app: DatabaseClients;
let s3: S3Client;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  app = appDatabase();
  s3 = testS3(worker.env);
});
afterAll(async () => {
  s3?.destroy();
  await app?.pool.end();
  await admin?.end();
  await worker?.dispose();
});

const sweepScope = (tenant: { id: string; slug: string }) =>
  tenantScope(app.db, tenant, "retention-sweep", { s3, bucket: worker.env.s3.bucket });
const exists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: worker.env.s3.bucket, Key: key })).then(
    () => true,
    () => false,
  );
const count = async (query: string, params: unknown[]) =>
  Number((await admin.query<{ n: string }>(`select count(*) as n from (${query}) q`, params)).rows[0]!.n);

/** `n` imaging studies past their 21 years, each with its object. */
async function overdueImaging(tenant: { id: string; userId: string }, n: number) {
  const items = [];
  for (let i = 0; i < n; i++) {
    items.push(
      await insertMedia(admin, s3, worker.env, {
        tenantId: tenant.id,
        userId: tenant.userId,
        retentionClass: "medical_imaging",
        lastEntryAt: yearsAgo(22),
      }),
    );
  }
  return items;
}

describe("the retention sweep", () => {
  it("deletes imaging past 21 years with its object and audits it; keeps what is younger", async () => {
    const tenant = await seedTenant(admin, "sweep");
    const old = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(22),
    });
    const young = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(19),
    });
    const editorial = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "general_media",
      kind: "image",
      lastEntryAt: yearsAgo(30),
    });
    const summary = await runRetentionSweep(sweepScope(tenant));
    expect(summary).toMatchObject({ deleted: 1, held: 0 });
    expect(await exists(old.objectKey)).toBe(false);
    expect(await exists(young.objectKey)).toBe(true);
    expect(await exists(editorial.objectKey)).toBe(true);
    expect(await count("select 1 from media_items where id = $1", [old.id])).toBe(0);
    const events = await admin.query(
      "select details from audit_events where tenant_id = $1 and action = 'retention.media_deleted'",
      [tenant.id],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].details).toMatchObject({
      count: 1,
      items: [{ id: old.id, retentionClass: "medical_imaging", legalBasis: expect.stringContaining("13.787") }],
    });
    // Running again is idempotent.
    expect(await runRetentionSweep(sweepScope(tenant))).toMatchObject({ deleted: 0 });
  });

  it("deletes nothing a legal hold covers: an item, a data subject, a whole tenant", async () => {
    const tenant = await seedTenant(admin, "holds");
    const subject = await admin.query<{ id: string }>(
      "insert into data_subjects (tenant_id, email) values ($1, 'paciente@example.test') returning id",
      [tenant.id],
    );
    const subjectId = subject.rows[0]!.id;
    const heldItem = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_record",
      lastEntryAt: yearsAgo(25),
    });
    const heldSubject = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(25),
      subjectId,
    });
    const free = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(25),
    });
    await admin.query(
      "insert into legal_holds (tenant_id, scope, target_id, item_type, reason) values ($1, 'item', $2, 'media_item', 'processo 123')",
      [tenant.id, heldItem.id],
    );
    await admin.query(
      "insert into legal_holds (tenant_id, scope, target_id, reason) values ($1, 'subject', $2, 'ofício ANPD')",
      [tenant.id, subjectId],
    );
    expect(await runRetentionSweep(sweepScope(tenant))).toMatchObject({
      deleted: 1,
      held: 2,
    });
    expect(await exists(heldItem.objectKey)).toBe(true);
    expect(await exists(heldSubject.objectKey)).toBe(true);
    expect(await exists(free.objectKey)).toBe(false);

    const other = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(25),
    });
    await admin.query("insert into legal_holds (tenant_id, scope, reason) values ($1, 'tenant', 'litígio')", [
      tenant.id,
    ]);
    expect(await runRetentionSweep(sweepScope(tenant))).toMatchObject({
      deleted: 0,
      held: 3,
    });
    expect(await exists(other.objectKey)).toBe(true);
  });

  it("is safe when two runs overlap: every item is deleted exactly once", async () => {
    const tenant = await seedTenant(admin, "overlap");
    for (let i = 0; i < 30; i++) {
      await insertMedia(admin, s3, worker.env, {
        tenantId: tenant.id,
        userId: tenant.userId,
        retentionClass: "medical_imaging",
        lastEntryAt: yearsAgo(22),
      });
    }
    const [a, b] = await Promise.all([
      runRetentionSweep(sweepScope(tenant), { batchSize: 4 }),
      runRetentionSweep(sweepScope(tenant), { batchSize: 4 }),
    ]);
    expect(a.deleted + b.deleted).toBe(30);
    expect(await count("select 1 from media_items where tenant_id = $1", [tenant.id])).toBe(0);
    // One event per batch; every item is named by exactly one of them.
    const named = await admin.query<{ id: string }>(
      `select item->>'id' as id from audit_events, jsonb_array_elements(details->'items') item
        where tenant_id = $1 and action = 'retention.media_deleted'`,
      [tenant.id],
    );
    expect(named.rows).toHaveLength(30);
    expect(new Set(named.rows.map((row) => row.id)).size).toBe(30);
  });

  it("deletes a batch's objects in one request and audits the batch once, holding no lock while S3 works", async () => {
    const tenant = await seedTenant(admin, "batched");
    const items = await overdueImaging(tenant, 6);
    const requests: string[][] = [];
    const summary = await runRetentionSweep(sweepScope(tenant), {
      batchSize: 10,
      // While the sweep talks to S3, a sign-in elsewhere appends to the same tenant's audit chain: it must not
      // wait for the sweep (the lock_timeout makes a wait fail instead of hanging).
      beforeObjectsDeleted: async (keys) => {
        requests.push(keys);
        await withTenant(app.db, tenant.id, async (tx) => {
          await tx.execute(sql`set local lock_timeout = '2s'`);
          await appendAudit(tx, { tenantId: tenant.id, actorType: "anonymous", action: "user.login_failed" });
        });
      },
    });
    expect(summary).toMatchObject({ deleted: 6, failed: 0 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toHaveLength(6);
    for (const item of items) expect(await exists(item.objectKey)).toBe(false);
    expect(
      await count("select 1 from audit_events where tenant_id = $1 and action = 'retention.media_deleted'", [
        tenant.id,
      ]),
    ).toBe(1);
  });

  it("appends each batch's audit event last: a sign-in completes while a batch's transaction waits", async () => {
    const tenant = await seedTenant(admin, "audit-last");
    await overdueImaging(tenant, 3);
    const subject = await admin.query<{ id: string }>(
      "insert into data_subjects (tenant_id, email, display_name) values ($1, 'p@example.test', 'P') returning id",
      [tenant.id],
    );
    await admin.query(
      `insert into consents (tenant_id, subject_id, purpose, version, source, granted_at, withdrawn_at)
       select $1, $2, 'newsletter', 'v1', 'site', now() - interval '2 years', now() - interval '1 year'
       from generate_series(1, 3)`,
      [tenant.id, subject.rows[0]!.id],
    );
    const staff = await createUser(admin, tenant, { roles: ["editor"] });
    const blocker = await adminClient();
    const auditLockFree = async () =>
      (
        await admin.query<{ free: boolean }>(
          "select pg_try_advisory_lock(hashtextextended('audit:' || $1, 0)) as free",
          [tenant.id],
        )
      ).rows[0]!.free;
    const seen: Array<{ task: string; auditLockFree: boolean; signedIn: boolean }> = [];
    /**
     * Holds the run's row while one batch of `task` runs: its transaction stops at the run's counts, after its
     * deletes and before its audit event. Meanwhile the tenant's audit lock must be free and a sign-in complete.
     */
    const duringBatch = async (task: string) => {
      await blocker.query("begin");
      await blocker.query("select 1 from retention_runs where tenant_id = $1 for update", [tenant.id]);
      return async () => {
        // Until the sweep's batch waits for the row (a lock wait, not a time).
        while (
          (
            await admin.query(
              `select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
               where not l.granted and a.query like 'update "retention_runs"%'`,
            )
          ).rowCount === 0
        );
        const free = await auditLockFree();
        if (free) await admin.query("select pg_advisory_unlock(hashtextextended('audit:' || $1, 0))", [tenant.id]);
        const signedIn = free ? Boolean((await signIn(worker, tenant.hostname, staff)).accessToken) : false;
        seen.push({ task, auditLockFree: free, signedIn });
        await blocker.query("commit");
      };
    };
    try {
      const releases: Array<() => Promise<void>> = [];
      const sweeping = runRetentionSweep(sweepScope(tenant), {
        // Media: held from just before the rows' transaction; consents: from just before their batch.
        afterObjectsDeleted: async () => {
          releases.push(await duringBatch("media"));
        },
        afterBatch: async ({ task }) => {
          if (task === "media") releases.push(await duringBatch("consents"));
        },
      });
      while (seen.length < 2) {
        const next = releases.shift();
        if (next) await next();
        else await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await sweeping).toMatchObject({ deleted: 6, failed: 0 });
      expect(seen).toEqual([
        { task: "media", auditLockFree: true, signedIn: true },
        { task: "consents", auditLockFree: true, signedIn: true },
      ]);
      // One event per batch: the consents' names each withdrawn consent.
      const events = await admin.query<{ action: string; count: number }>(
        `select action, jsonb_array_length(details->'items') as count from audit_events
          where tenant_id = $1 and action like 'retention.%' order by seq`,
        [tenant.id],
      );
      expect(events.rows).toEqual([
        { action: "retention.media_deleted", count: 3 },
        { action: "retention.consent_deleted", count: 3 },
      ]);
    } finally {
      await blocker.query("rollback").catch(() => undefined);
      await blocker.end();
    }
  });

  it("recovers from a crash between deleting the objects and deleting their rows", async () => {
    const tenant = await seedTenant(admin, "halfway");
    const items = await overdueImaging(tenant, 3);
    await expect(
      runRetentionSweep(sweepScope(tenant), {
        afterObjectsDeleted: () => {
          throw new Error("the isolate was evicted");
        },
      }),
    ).rejects.toThrow("evicted");
    // Half-done: the objects are gone, the rows (still due, behind the cursor) are not, nothing was audited.
    for (const item of items) expect(await exists(item.objectKey)).toBe(false);
    expect(await count("select 1 from media_items where tenant_id = $1", [tenant.id])).toBe(3);
    expect(
      await count("select 1 from audit_events where tenant_id = $1 and action = 'retention.media_deleted'", [
        tenant.id,
      ]),
    ).toBe(0);
    // The next run deletes the (missing) objects again and then the rows, and audits them.
    expect(await runRetentionSweep(sweepScope(tenant))).toMatchObject({ deleted: 3, failed: 0 });
    expect(await count("select 1 from media_items where tenant_id = $1", [tenant.id])).toBe(0);
    const events = await admin.query(
      "select details from audit_events where tenant_id = $1 and action = 'retention.media_deleted'",
      [tenant.id],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].details).toMatchObject({ count: 3 });
  });

  it("resumes where a crashed run stopped", async () => {
    const tenant = await seedTenant(admin, "crash");
    // Held items stay, so only the checkpoint can stop a second pass from looking at them again.
    await admin.query("insert into legal_holds (tenant_id, scope, reason) values ($1, 'tenant', 'auditoria')", [
      tenant.id,
    ]);
    for (let i = 0; i < 12; i++) {
      await insertMedia(admin, s3, worker.env, {
        tenantId: tenant.id,
        userId: tenant.userId,
        retentionClass: "medical_imaging",
        lastEntryAt: new Date(yearsAgo(22).getTime() + i * 1000),
      });
    }
    await expect(
      runRetentionSweep(sweepScope(tenant), {
        batchSize: 5,
        afterBatch: () => {
          throw new Error("the isolate was evicted");
        },
      }),
    ).rejects.toThrow("evicted");
    const checkpoint = await admin.query(
      "select cursor_id from retention_checkpoints where tenant_id = $1 and task = 'media'",
      [tenant.id],
    );
    expect(checkpoint.rows[0].cursor_id).not.toBeNull();
    const resumed = await runRetentionSweep(sweepScope(tenant), { batchSize: 5 });
    // The resumed run looked at the 7 items after the first batch, not all 12 again.
    expect(resumed.held).toBe(7);
    const after = await admin.query(
      "select cursor_id from retention_checkpoints where tenant_id = $1 and task = 'media'",
      [tenant.id],
    );
    expect(after.rows[0].cursor_id).toBeNull();
  });

  it("stops at its time budget between batches, and later runs finish the work: nothing lost, nothing twice", async () => {
    const tenant = await seedTenant(admin, "budget");
    // 23 due items, every third held: the held ones stay, so only the checkpoint stops a run from seeing them again.
    const items = [];
    for (let i = 0; i < 23; i++) {
      items.push(
        await insertMedia(admin, s3, worker.env, {
          tenantId: tenant.id,
          userId: tenant.userId,
          retentionClass: "medical_imaging",
          lastEntryAt: new Date(yearsAgo(22).getTime() + i * 1000),
        }),
      );
    }
    const held = items.filter((_, i) => i % 3 === 0);
    for (const item of held) {
      await admin.query(
        "insert into legal_holds (tenant_id, scope, target_id, item_type, reason) values ($1, 'item', $2, 'media_item', 'processo 9')",
        [tenant.id, item.id],
      );
    }
    const sent: string[] = [];
    const totals = { deleted: 0, held: 0, batches: 0 };
    const stopped: boolean[] = [];
    // Five media batches of five (then one per row task): the first two runs' budgets allow two batches each and
    // stop mid-task, the third has time for the rest. The rests are recorded, not slept.
    for (const budget of [2, 2, Number.POSITIVE_INFINITY]) {
      let allowed = budget;
      const pace: Pace = {
        next: async () => allowed-- > 0,
        done: () => {},
        spent: () => allowed <= 0,
        rest: async () => {},
      };
      const summary = await runRetentionSweep(sweepScope(tenant), {
        batchSize: 5,
        pace,
        beforeObjectsDeleted: (keys) => void sent.push(...keys),
      });
      totals.deleted += summary.deleted;
      totals.held += summary.held;
      totals.batches += summary.batches;
      stopped.push(summary.stopped);
    }
    expect(stopped).toEqual([true, true, false]);
    expect(totals.batches).toBe(7);
    // Every free item deleted once (its object sent to S3 once, named by one audit event); every held item seen once.
    const free = items.filter((_, i) => i % 3 !== 0);
    expect(totals).toMatchObject({ deleted: free.length, held: held.length });
    expect(sent.sort()).toEqual(free.map((item) => item.objectKey).sort());
    for (const item of free) expect(await exists(item.objectKey)).toBe(false);
    for (const item of held) expect(await exists(item.objectKey)).toBe(true);
    const left = await admin.query<{ id: string }>("select id from media_items where tenant_id = $1", [tenant.id]);
    expect(left.rows.map((row) => row.id).sort()).toEqual(held.map((item) => item.id).sort());
    const named = await admin.query<{ id: string }>(
      `select item->>'id' as id from audit_events, jsonb_array_elements(details->'items') item
        where tenant_id = $1 and action = 'retention.media_deleted'`,
      [tenant.id],
    );
    expect(named.rows.map((row) => row.id).sort()).toEqual(free.map((item) => item.id).sort());
  });

  it("runs from cron, and the daily report shows what was deleted, held and what is due next", async () => {
    const tenant = await seedTenant(admin, "cron");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(22),
    });
    await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: new Date(yearsAgo(21).getTime() + 10 * 86_400_000),
    });
    const fetcher = await worker.mf.getWorker();
    await fetcher.scheduled({ cron: "0 * * * *" });
    await fetcher.scheduled({ cron: "30 3 * * *" });
    const token = (await signIn(worker, tenant.hostname, officer)).accessToken;
    const res = await worker.fetch("/api/compliance/reports", { host: tenant.hostname, headers: bearer(token) });
    expect(res.status).toBe(200);
    const { reports } = (await res.json()) as { reports: Array<{ body: Record<string, unknown> }> };
    expect(reports[0]?.body).toMatchObject({
      deleted: { total: 1, byAction: { "retention.media_deleted": 1 } },
      dueNext30Days: { medical_imaging: 1 },
      privacyRequests: { open: 0, overdue: 0 },
    });
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
    expect(
      (await worker.fetch("/api/compliance/reports", { host: tenant.hostname, headers: bearer(editorToken) })).status,
    ).toBe(403);
  });
});
