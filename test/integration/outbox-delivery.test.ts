/**
 * Outgoing mail for real: the Worker sends what the outbox holds over SMTP (worker-mailer over
 * `cloudflare:sockets`) to the run's mail catcher, right after the change commits and from the cron job; a relay
 * that refuses or is down means a retry with backoff, then a dead letter admins see and can retry; overlapping
 * runs never send a message twice; and only a tenant's admins see its mail.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { createInvitation } from "../../functions/services/identity/invitations.js";
import { OUTBOX_MAX_ATTEMPTS } from "../../functions/services/mail/delivery.js";
import { type MailCatcher, startMailCatcher } from "../../local-cloud/index.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, appDatabase, platformScope, type SeededTenant, seedTenant } from "../support/db.js";
import { mailTo, waitForMail } from "../support/mail.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let admin: pg.Client;
let app: DatabaseClients;
/** Sends to the run's mail catcher. */
let worker: TestWorker;
/** A second isolate with the same configuration, for runs that overlap. */
let twin: TestWorker;
/** Its relay's port has nobody listening: every attempt fails to connect. */
let relayDown: TestWorker;
/** Its relay requires authentication and refuses the Worker's credentials. */
let relayRefuses: TestWorker;
let strictCatcher: MailCatcher;
let strictDirectory: string;
let clinicA: SeededTenant;
let clinicB: SeededTenant;
let adminA: TestUser;
let adminB: TestUser;
let editorA: TestUser;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  admin = await adminClient();
  app = appDatabase();
  clinicA = await seedTenant(admin, "mail-a", "admin");
  clinicB = await seedTenant(admin, "mail-b", "admin");
  adminA = await createUser(admin, clinicA, { roles: ["admin"] });
  adminB = await createUser(admin, clinicB, { roles: ["admin"] });
  editorA = await createUser(admin, clinicA, { roles: ["editor"] });
  strictDirectory = await mkdtemp(join(tmpdir(), "vitalis-mail-strict-"));
  strictCatcher = await startMailCatcher({
    directory: strictDirectory,
    user: "relay-user",
    pass: "relay-pass",
  });
  [worker, twin, relayDown, relayRefuses] = await Promise.all([
    startWorker(),
    startWorker(),
    startWorker({ SMTP_PORT: String(await closedPort()) }),
    startWorker({
      SMTP_PORT: String(strictCatcher.smtpPort),
      SMTP_USERNAME: "relay-user",
      SMTP_PASSWORD: "not-the-password",
    }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([worker?.dispose(), twin?.dispose(), relayDown?.dispose(), relayRefuses?.dispose()]);
  await strictCatcher?.close();
  if (strictDirectory) await rm(strictDirectory, { recursive: true, force: true });
  await app?.pool.end();
  await admin?.end();
});

const unique = (label: string) => `${label}.${Math.random().toString(36).slice(2, 10)}@example.test`;

/** Invites `email` as the services do, in a transaction of the tenant's scope; returns the token and the mail's row. */
async function invite(tenant: SeededTenant, email: string): Promise<{ token: string; outboxId: string }> {
  const scope = platformScope(app.db).forTenant({ id: tenant.id, slug: tenant.slug, name: "Clínica Aurora" });
  const created = await scope.transaction((tx) =>
    createInvitation(scope, tx, { email, roles: ["author"], origin: `https://${tenant.hostname}`, locale: "pt-BR" }),
  );
  const row = await admin.query<{ id: string }>("select id from outbox where recipient = $1", [email]);
  return { token: created.token, outboxId: row.rows[0]!.id };
}

interface Row {
  status: string;
  attempts: number;
  secret_sealed: string | null;
  last_error: string | null;
  sent_at: Date | null;
  due_in_seconds: number;
}

async function row(id: string): Promise<Row> {
  const result = await admin.query<Row>(
    `select status, attempts, secret_sealed, last_error, sent_at,
            extract(epoch from next_attempt_at - now())::float as due_in_seconds
       from outbox where id = $1`,
    [id],
  );
  return result.rows[0]!;
}

/** Fires the Worker's every-minute cron trigger. */
async function runCron(target: TestWorker): Promise<void> {
  await (await target.mf.getWorker()).scheduled({ cron: "* * * * *" });
}

/** Waits (bounded) until the row satisfies `done`; the job runs in `waitUntil`. */
async function until(id: string, done: (r: Row) => boolean): Promise<Row> {
  for (let i = 0; i < 100; i++) {
    const current = await row(id);
    if (done(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`outbox row ${id} never reached the expected state: ${JSON.stringify(await row(id))}`);
}

const makeDue = (id: string) => admin.query("update outbox set next_attempt_at = now() where id = $1", [id]);

async function auditActions(id: string): Promise<string[]> {
  const result = await admin.query<{ action: string }>(
    "select action from audit_events where target_type = 'outbox' and target_id = $1 order by seq",
    [id],
  );
  return result.rows.map((r) => r.action);
}

async function tokenOf(user: TestUser, tenant: SeededTenant): Promise<string> {
  return (await signIn(worker, tenant.hostname, user)).accessToken;
}

describe("delivering the outbox", () => {
  it("sends an invitation with its token in the link's fragment only, then wipes the sealed token", async () => {
    const email = unique("invited");
    const { token, outboxId } = await invite(clinicA, email);
    await runCron(worker);
    const mail = await waitForMail(email);

    expect(mail.subject).toBe("Convite para Clínica Aurora");
    expect(mail.subject).not.toContain(token);
    const link = `https://${clinicA.hostname}/admin/invitation#token=${token}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(link);
    expect(mail.from[0]?.address).toBe("noreply@vitalis.test");
    expect(mail.headers["auto-submitted"]).toBe("auto-generated");

    const settled = await until(outboxId, (r) => r.status === "sent");
    expect(settled).toMatchObject({ attempts: 1, secret_sealed: null, last_error: null });
    expect(settled.sent_at).not.toBeNull();
    expect(await auditActions(outboxId)).toEqual(["mail.sent"]);
  });

  it("defers with backoff when the relay is down, and sends once it is back", async () => {
    const email = unique("down");
    const { outboxId } = await invite(clinicA, email);
    await runCron(relayDown);
    const deferred = await until(outboxId, (r) => r.attempts === 1 && r.status === "pending");
    expect(deferred.last_error).toBeTruthy();
    expect(deferred.last_error).not.toContain(email);
    // The first retry waits a minute, half of it random: between 30 and 60 seconds from the failure.
    const audit = await admin.query(
      "select details from audit_events where target_id = $1 and action = 'mail.deferred'",
      [outboxId],
    );
    expect(audit.rows[0].details.retryInSeconds).toBeGreaterThanOrEqual(30);
    expect(audit.rows[0].details.retryInSeconds).toBeLessThanOrEqual(60);
    expect(deferred.due_in_seconds).toBeGreaterThan(0);

    // Not due yet: a run now leaves it alone, even one whose relay works.
    await runCron(worker);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await row(outboxId)).attempts).toBe(1);
    expect(await mailTo(email)).toHaveLength(0);

    await makeDue(outboxId);
    await runCron(worker);
    await waitForMail(email);
    expect(await until(outboxId, (r) => r.status === "sent")).toMatchObject({ attempts: 2, last_error: null });
    expect(await auditActions(outboxId)).toEqual(["mail.deferred", "mail.sent"]);
  });

  it("defers when the relay refuses the Worker's credentials", async () => {
    const email = unique("refused");
    const { outboxId } = await invite(clinicA, email);
    await runCron(relayRefuses);
    const deferred = await until(outboxId, (r) => r.attempts === 1);
    expect(deferred.status).toBe("pending");
    expect(deferred.last_error).toMatch(/5\d\d|auth/i);
    expect(deferred.last_error).not.toContain("not-the-password");
  });

  it(`gives up after ${OUTBOX_MAX_ATTEMPTS} attempts, shows the dead letter to admins, and sends it when an admin retries`, async () => {
    const email = unique("dead");
    const { token, outboxId } = await invite(clinicA, email);
    for (let attempt = 1; attempt <= OUTBOX_MAX_ATTEMPTS; attempt++) {
      await makeDue(outboxId);
      await runCron(relayDown);
      await until(outboxId, (r) => r.attempts === attempt && r.status !== "sending");
    }
    const dead = await row(outboxId);
    expect(dead.status).toBe("dead");
    // Kept sealed while dead, so a retry can still send the link while it is valid.
    expect(dead.secret_sealed).not.toBeNull();
    const actions = await auditActions(outboxId);
    expect(actions.filter((a) => a === "mail.deferred")).toHaveLength(OUTBOX_MAX_ATTEMPTS - 1);
    expect(actions.at(-1)).toBe("mail.dead");

    // No run touches a dead message.
    await makeDue(outboxId);
    await runCron(worker);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await row(outboxId)).status).toBe("dead");

    const access = await tokenOf(adminA, clinicA);
    const listed = await worker.fetch("/api/outbox?status=dead", { host: clinicA.hostname, headers: bearer(access) });
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as { messages: Array<Record<string, unknown>>; total: number };
    const shown = page.messages.find((m) => m.id === outboxId);
    expect(shown).toMatchObject({
      status: "dead",
      attempts: OUTBOX_MAX_ATTEMPTS,
      recipient: email,
      template: "invitation",
    });
    expect(page.messages.every((m) => m.status === "dead")).toBe(true);
    // Never the parameters, the body or the secret.
    expect(Object.keys(shown!).sort()).toEqual(
      [
        "attempts",
        "createdAt",
        "id",
        "lastError",
        "locale",
        "nextAttemptAt",
        "recipient",
        "sentAt",
        "status",
        "template",
      ].sort(),
    );
    expect(JSON.stringify(page)).not.toContain(token);

    // The retry is sent right after it commits (the mail.queued effect), with no cron run.
    const retried = await worker.fetch(`/api/outbox/${outboxId}/retry`, {
      host: clinicA.hostname,
      method: "POST",
      headers: bearer(access),
    });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: outboxId, attempts: 0 });
    const mail = await waitForMail(email);
    expect(mail.text).toContain(`#token=${token}`);
    expect(await until(outboxId, (r) => r.status === "sent")).toMatchObject({ attempts: 1, secret_sealed: null });
    expect((await auditActions(outboxId)).slice(-2)).toEqual(["mail.retried", "mail.sent"]);

    const again = await worker.fetch(`/api/outbox/${outboxId}/retry`, {
      host: clinicA.hostname,
      method: "POST",
      headers: bearer(access),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe("mail_not_dead");
  });

  it("refuses to retry a dead message whose link has expired", async () => {
    const email = unique("expired");
    const { outboxId } = await invite(clinicA, email);
    await admin.query(
      `update outbox set status = 'dead', attempts = $2,
         data = jsonb_set(data, '{expiresAt}', to_jsonb((now() - interval '1 hour')::text)) where id = $1`,
      [outboxId, OUTBOX_MAX_ATTEMPTS],
    );
    const response = await worker.fetch(`/api/outbox/${outboxId}/retry`, {
      host: clinicA.hostname,
      method: "POST",
      headers: bearer(await tokenOf(adminA, clinicA)),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe("mail_link_expired");
    expect((await row(outboxId)).status).toBe("dead");
  });
});

describe("overlapping delivery runs", () => {
  it("send each message once when two Workers' cron runs overlap", async () => {
    const emails = Array.from({ length: 6 }, (_, i) => unique(`overlap${i}`));
    const queued = [];
    for (const email of emails) queued.push(await invite(clinicA, email));
    await Promise.all([runCron(worker), runCron(twin), runCron(worker), runCron(twin)]);
    for (const { outboxId } of queued) await until(outboxId, (r) => r.status === "sent");
    for (const email of emails) await waitForMail(email);
    // Let any second copy land before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const email of emails) expect(await mailTo(email)).toHaveLength(1);
    for (const { outboxId } of queued) {
      expect((await row(outboxId)).attempts).toBe(1);
      expect(await auditActions(outboxId)).toEqual(["mail.sent"]);
    }
  });

  it("leave a message another run holds under a live lease, and take it once the lease lapses", async () => {
    const email = unique("leased");
    const { outboxId } = await invite(clinicA, email);
    // As a run that claimed it and is still sending.
    await admin.query(
      "update outbox set status = 'sending', attempts = 1, locked_until = now() + interval '5 minutes' where id = $1",
      [outboxId],
    );
    await runCron(worker);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await row(outboxId)).toMatchObject({ status: "sending", attempts: 1 });
    expect(await mailTo(email)).toHaveLength(0);

    // The run died: its lease lapses and the message is due again.
    await admin.query("update outbox set locked_until = now() - interval '1 second' where id = $1", [outboxId]);
    await runCron(worker);
    await waitForMail(email);
    expect(await until(outboxId, (r) => r.status === "sent")).toMatchObject({ attempts: 2 });
  });
});

describe("who sees the outbox", () => {
  it("answers 401 without a token and 403 to a member who is not an admin", async () => {
    expect((await worker.fetch("/api/outbox", { host: clinicA.hostname })).status).toBe(401);
    const editor = await tokenOf(editorA, clinicA);
    expect((await worker.fetch("/api/outbox", { host: clinicA.hostname, headers: bearer(editor) })).status).toBe(403);
    const { outboxId } = await invite(clinicA, unique("forbidden"));
    const retry = await worker.fetch(`/api/outbox/${outboxId}/retry`, {
      host: clinicA.hostname,
      method: "POST",
      headers: bearer(editor),
    });
    expect(retry.status).toBe(403);
  });

  it("shows another tenant's admin none of this tenant's mail, and does not let them retry it", async () => {
    const email = unique("isolated");
    const { outboxId } = await invite(clinicA, email);
    await admin.query("update outbox set status = 'dead' where id = $1", [outboxId]);
    const access = await tokenOf(adminB, clinicB);
    const listed = await worker.fetch("/api/outbox?pageSize=100", { host: clinicB.hostname, headers: bearer(access) });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(await listed.json())).not.toContain(email);
    const retry = await worker.fetch(`/api/outbox/${outboxId}/retry`, {
      host: clinicB.hostname,
      method: "POST",
      headers: bearer(access),
    });
    expect(retry.status).toBe(404);
    expect((await row(outboxId)).status).toBe("dead");
  });

  it("refuses unknown query fields and statuses with 422", async () => {
    const access = await tokenOf(adminA, clinicA);
    for (const query of ["status=lost", "pageSize=1000", "secret=1"]) {
      const response = await worker.fetch(`/api/outbox?${query}`, { host: clinicA.hostname, headers: bearer(access) });
      expect(response.status).toBe(422);
    }
  });
});
