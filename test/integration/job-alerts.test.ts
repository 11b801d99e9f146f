/**
 * Jobs and alerts: a tenant whose job run fails does not stop the job for the others, each tenant's outcome is
 * recorded in `job_runs`, and the compliance officers are mailed (through the outbox, once per condition) when a
 * job fails three times in a row, when the audit chain fails verification, when trust denials spike and when an
 * LGPD request is five days from its deadline. The cron triggers run as the platform runs them.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runForTenants, type TenantJob } from "../../functions/jobs/tenant-job.js";
import { createPace, type Pace } from "../../functions/lib/pace.js";
import { DENIAL_SPIKE } from "../../functions/services/compliance-alerts.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { appDatabase, platformScope, type SeededTenant, seedTenant } from "../support/db.js";
import { type CaughtMail, mailTo, waitForMail } from "../support/mail.js";
import { insertSubject } from "../support/media.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;

beforeAll(async () => {
  ({ worker, admin } = await startSuite("job-alerts"));
});
afterAll(() => stopSuite({ worker, admin }));

const runCron = async (cron: "* * * * *" | "0 * * * *" | "45 * * * *") =>
  (await worker.mf.getWorker()).scheduled({ cron });

/** A clinic with one compliance officer, whose inbox the alerts reach. */
async function clinic(label: string): Promise<{ tenant: SeededTenant; officer: TestUser }> {
  const tenant = await seedTenant(admin, label);
  return { tenant, officer: await createUser(admin, tenant, { roles: ["compliance_officer"] }) };
}

async function scheduledItem(tenant: SeededTenant, slug: string): Promise<string> {
  const row = await admin.query<{ id: string }>(
    `insert into content_items (tenant_id, type, title, slug, locale, author_id, state, scheduled_at)
     values ($1, 'post', 'Vacinas do adulto', $2, 'pt-BR', $3, 'scheduled', now() - interval '1 minute') returning id`,
    [tenant.id, slug, tenant.userId],
  );
  return row.rows[0]!.id;
}

const itemState = async (id: string) =>
  (await admin.query<{ state: string }>("select state from content_items where id = $1", [id])).rows[0]!.state;

const jobRun = async (tenantId: string, job: string) =>
  (
    await admin.query<{ ok: boolean; error_code: string | null; consecutive_failures: number }>(
      "select ok, error_code, consecutive_failures from job_runs where tenant_id = $1 and job = $2",
      [tenantId, job],
    )
  ).rows[0];

/** The messages to `to` whose subject contains `subject`, after a pause for a late duplicate to arrive. */
async function settledMail(to: string, subject: string): Promise<CaughtMail[]> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return (await mailTo(to)).filter((mail) => mail.subject.includes(subject));
}

describe("one tenant's failing run", () => {
  it("does not stop the job for the others, and both outcomes are recorded", async () => {
    // The failing clinic exists first, so a job that stops at the first failure never reaches the second.
    const failing = await clinic("jobs-failing");
    const healthy = await clinic("jobs-healthy");
    const stuck = await scheduledItem(failing.tenant, "vacinas-a");
    const due = await scheduledItem(healthy.tenant, "vacinas-b");
    // A real database failure, confined to one tenant's rows: the update the publication makes is refused.
    await admin.query(`create or replace function test_refuse_tenant_update() returns trigger language plpgsql as $$
      begin raise exception 'refused for this tenant'; end $$`);
    await admin.query(
      `create trigger test_refuse_tenant_update before update on content_items for each row
       when (new.tenant_id = '${failing.tenant.id}') execute function test_refuse_tenant_update()`,
    );
    try {
      await runCron("* * * * *");
      expect(await itemState(due)).not.toBe("scheduled");
      expect(await itemState(stuck)).toBe("scheduled");
      expect(await jobRun(healthy.tenant.id, "publish-scheduled")).toMatchObject({ ok: true, consecutive_failures: 0 });
      expect(await jobRun(failing.tenant.id, "publish-scheduled")).toEqual({
        ok: false,
        error_code: "sqlstate_P0001",
        consecutive_failures: 1,
      });

      // The third failure in a row mails the officers; the fourth does not mail again.
      for (let run = 2; run <= 4; run++) await runCron("* * * * *");
      expect(await jobRun(failing.tenant.id, "publish-scheduled")).toMatchObject({ consecutive_failures: 4 });
      const mail = await waitForMail(failing.officer.email, (m) => m.subject.includes("Tarefa agendada falhando"));
      expect(mail.text).toContain('"publish-scheduled" falhou 3 vezes seguidas');
      expect(mail.text).toContain("sqlstate_P0001");
      expect(mail.text).not.toContain("refused for this tenant");
      expect(await settledMail(failing.officer.email, "Tarefa agendada falhando")).toHaveLength(1);
      expect(await settledMail(healthy.officer.email, "Tarefa agendada falhando")).toHaveLength(0);
    } finally {
      await admin.query("drop trigger if exists test_refuse_tenant_update on content_items");
      await admin.query("drop function if exists test_refuse_tenant_update()");
    }

    await runCron("* * * * *");
    expect(await itemState(stuck)).not.toBe("scheduled");
    expect(await jobRun(failing.tenant.id, "publish-scheduled")).toEqual({
      ok: true,
      error_code: null,
      consecutive_failures: 0,
    });
    const audit = await admin.query<{ action: string }>(
      "select action from audit_events where tenant_id = $1 and target_type = 'job' order by seq",
      [failing.tenant.id],
    );
    expect(audit.rows.map((row) => row.action)).toEqual([
      "job.failed",
      "job.failed",
      "job.failed",
      "job.failed",
      "job.recovered",
    ]);
  });
});

describe("alerts from the hourly triggers", () => {
  it("mails once when the audit chain fails verification, one message with the draft incident's deadline", async () => {
    const { tenant, officer } = await clinic("jobs-chain");
    await signIn(worker, tenant.hostname, officer);
    await runCron("45 * * * *");
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query("update audit_events set details = '{\"forged\": true}' where tenant_id = $1 and seq = 1", [
        tenant.id,
      ]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    await runCron("45 * * * *");
    const mail = await waitForMail(officer.email, (m) => m.subject.includes("Falha na verificação"));
    expect(mail.text).toContain("pontos de controle assinados alterados");
    const due = await admin.query<{ due: string }>(
      "select communication_due::text as due from incidents where tenant_id = $1 and source = 'audit_chain'",
      [tenant.id],
    );
    expect(mail.text).toContain(`deve ser comunicado à ANPD e aos titulares até ${due.rows[0]!.due}`);
    await runCron("45 * * * *");
    expect(await settledMail(officer.email, "Falha na verificação")).toHaveLength(1);
    // The draft incident's own deadline mail is not sent as well: the officer has one message about the break.
    expect(await settledMail(officer.email, "")).toHaveLength(1);
  });

  it("mails once a day when trust denials pass the floor and the tenant's baseline", async () => {
    const { tenant, officer } = await clinic("jobs-denials");
    // A password-only session is refused the staff's list filter: each request is one audited `trust.deny`.
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const { accessToken } = await signIn(worker, tenant.hostname, editor);
    const denials = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            "select count(*) as n from audit_events where tenant_id = $1 and action = 'trust.deny'",
            [tenant.id],
          )
        ).rows[0]!.n,
      );
    for (let i = 0; i < DENIAL_SPIKE.floor - 1; i++)
      await worker.fetch("/api/posts", { host: tenant.hostname, headers: bearer(accessToken) });
    expect(await denials()).toBe(DENIAL_SPIKE.floor - 1);
    await runCron("0 * * * *");
    expect(await settledMail(officer.email, "Pico de acessos negados")).toHaveLength(0);

    await worker.fetch("/api/posts", { host: tenant.hostname, headers: bearer(accessToken) });
    await runCron("0 * * * *");
    const mail = await waitForMail(officer.email, (m) => m.subject.includes("Pico de acessos negados"));
    expect(mail.text).toContain(`${DENIAL_SPIKE.floor} acessos foram negados`);
    await runCron("0 * * * *");
    expect(await settledMail(officer.email, "Pico de acessos negados")).toHaveLength(1);
  });

  it("mails once about an LGPD request five days from its deadline, and not about a newer one", async () => {
    const { tenant, officer } = await clinic("jobs-privacy");
    const subject = await insertSubject(admin, tenant.id, `titular.${tenant.slug}@example.test`);
    const request = (receivedDaysAgo: number) =>
      admin.query(
        `insert into privacy_requests (tenant_id, subject_id, type, received_at, due_at)
         values ($1, $2, 'access', now() - make_interval(days => $3), now() - make_interval(days => $3) + interval '15 days')`,
        [tenant.id, subject, receivedDaysAgo],
      );
    await request(3);
    await runCron("0 * * * *");
    expect(await settledMail(officer.email, "Pedido de titular")).toHaveLength(0);

    await request(11);
    await runCron("0 * * * *");
    const mail = await waitForMail(officer.email, (m) => m.subject.includes("Pedido de titular perto do prazo"));
    expect(mail.text).toContain("Um pedido de acesso recebido em");
    expect(mail.text).not.toContain(`titular.${tenant.slug}`);
    await runCron("0 * * * *");
    expect(await settledMail(officer.email, "Pedido de titular")).toHaveLength(1);
  });
});

describe("a paced job's run", () => {
  it("starts where the last run's budget ran out, so the same tenants are not left last every hour", async () => {
    // Three clinics of ours among whatever tenants the database holds; the run's budget is spent by two of ours.
    const ours = new Set<string>();
    for (const label of ["rota-a", "rota-b", "rota-c"]) ours.add((await seedTenant(admin, label)).id);
    let visited: string[] = [];
    const name = `rotation-${Math.random().toString(36).slice(2, 8)}`;
    const job: TenantJob<void, { pace: Pace; tick: () => void }> = {
      prepare: async () => {
        let clock = 0;
        // The pace's clock moves only with our tenants' work: one unit each, a budget of two.
        return { pace: createPace({ budgetMs: 2, duty: 1, maxRestMs: 0, now: () => clock }), tick: () => void clock++ };
      },
      async run(scope, { pace, tick }) {
        if (!(await pace.next())) return;
        visited.push(scope.tenant.id);
        if (ours.has(scope.tenant.id)) tick();
      },
      budgetSpent: ({ pace }) => pace.spent(),
    };
    const app = appDatabase();
    // As the cron's runner does: a platform scope of the app role, the run's shared state, the tenants one by one.
    const run = async () => {
      const platform = platformScope(app.db, name);
      await runForTenants(platform, name, job, await job.prepare(platform));
    };
    try {
      await run();
      const first = visited.filter((id) => ours.has(id));
      expect(first).toHaveLength(2);
      visited = [];
      await run();
      // The second run begins with the tenant whose work spent the first run's budget, then goes on past it.
      expect(visited[0]).toBe(first[1]);
      const second = visited.filter((id) => ours.has(id));
      expect(second).toHaveLength(2);
      expect(second[1]).not.toBe(first[0]);
      visited = [];
      await run();
      expect(visited[0]).toBe(second[1]);
    } finally {
      await app.pool.end();
    }
  });
});
