/**
 * Break-glass (HIPAA 164.312(a)(2)(ii)): a medical reviewer whose session the PHI bar refuses opens an hour of
 * emergency access with a written justification; the compliance officers get a mail at once; PHI reads pass for
 * that hour only, each recorded; afterwards a compliance officer reviews it.
 */
import type pg from "pg";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { breakGlassKey } from "../../functions/services/trust-signals.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { waitForMail } from "../support/mail.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let redis: Redis;

beforeAll(async () => ({ worker, admin, tenant, redis } = await startSuite("breakglass")));
afterAll(() => stopSuite({ worker, admin, redis }));

const JUSTIFICATION = "Emergency room: unconscious patient, need the imaging history now";

/** A PHI read every reviewer may make: the data-subject search (PHI-level trust). */
const phiRead = (token: string) =>
  worker.fetch("/api/privacy/subjects?name=Silva", { host: tenant.hostname, headers: bearer(token) });

describe("break-glass", () => {
  it("opens an hour of PHI access, mails the compliance officers at once, and records every read it lets through", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const reviewer = await createUser(admin, tenant, {
      roles: ["medical_reviewer"],
      verifiedCredential: { crm: "123456", uf: "SP" },
    });
    // Password only, on a device it never signed in on: short of the PHI bar.
    const { accessToken } = await signIn(worker, tenant.hostname, reviewer);
    const refused = await phiRead(accessToken);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe("step_up_required");

    const short = await worker.fetch("/api/break-glass", {
      host: tenant.hostname,
      ...jsonPost({ justification: "urgent" }, bearer(accessToken)),
    });
    expect(short.status).toBe(422);

    const opened = await worker.fetch("/api/break-glass", {
      host: tenant.hostname,
      ...jsonPost({ justification: JUSTIFICATION }, bearer(accessToken)),
    });
    expect(opened.status).toBe(201);
    const grant = (await opened.json()) as { id: string; openedAt: string; expiresAt: string; active: boolean };
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.openedAt)).toBe(3_600_000);
    expect(grant.active).toBe(true);

    const mail = await waitForMail(officer.email, (m) => m.subject.includes("emergência"));
    expect(mail.text).toContain("Test medical_reviewer");
    expect(mail.text).not.toContain("unconscious");

    const again = await worker.fetch("/api/break-glass", {
      host: tenant.hostname,
      ...jsonPost({ justification: JUSTIFICATION }, bearer(accessToken)),
    });
    expect(again.status).toBe(409);

    expect((await phiRead(accessToken)).status).toBe(200);
    const recorded = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'trust.break_glass'",
      [tenant.id, reviewer.id],
    );
    expect(recorded.rows).toHaveLength(1);
    expect(recorded.rows[0]!.details).toMatchObject({ sensitivity: "phi" });
    const openedEvent = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'break_glass.opened'",
      [tenant.id, reviewer.id],
    );
    expect(openedEvent.rows[0]!.details).toMatchObject({ justificationLength: JUSTIFICATION.length });
    expect(JSON.stringify(openedEvent.rows)).not.toContain("unconscious");

    // The key lives no longer than the grant.
    const key = breakGlassKey(tenant.id, reviewer.id);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(3_600_000);
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);

    // An hour later: the clock the grant is judged by is moved past its end (the key's value is that end).
    await redis.set(key, String(Date.now() - 1), "PX", 60_000);
    await admin.query("update break_glass_grants set expires_at = now() - interval '1 second' where id = $1", [
      grant.id,
    ]);
    const expired = await phiRead(accessToken);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { code: string }).code).toBe("step_up_required");
  });

  it("is not for every role, and does not lift role checks", async () => {
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const { accessToken } = await signIn(worker, tenant.hostname, editor);
    const res = await worker.fetch("/api/break-glass", {
      host: tenant.hostname,
      ...jsonPost({ justification: JUSTIFICATION }, bearer(accessToken)),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("forbidden_role");
  });

  it("is listed for review; a compliance officer reviews it once it has ended", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const adminUser = await createUser(admin, tenant, { roles: ["admin"] });
    const opener = await signIn(worker, tenant.hostname, adminUser);
    const opened = await worker.fetch("/api/break-glass", {
      host: tenant.hostname,
      ...jsonPost({ justification: JUSTIFICATION }, bearer(opener.accessToken)),
    });
    expect(opened.status).toBe(201);
    const { id } = (await opened.json()) as { id: string };

    const { accessToken } = await signIn(worker, tenant.hostname, officer);
    const review = (body: unknown) =>
      worker.fetch(`/api/break-glass/${id}/review`, { host: tenant.hostname, ...jsonPost(body, bearer(accessToken)) });
    const early = await review({ outcome: "justified", note: "Checked with the ER log." });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe("break_glass_active");

    // Only compliance officers list or review.
    expect(
      (await worker.fetch("/api/break-glass", { host: tenant.hostname, headers: bearer(opener.accessToken) })).status,
    ).toBe(403);

    await admin.query("update break_glass_grants set expires_at = now() - interval '1 second' where id = $1", [id]);
    const done = await review({ outcome: "justified", note: "Checked with the ER log." });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      id,
      active: false,
      review: { outcome: "justified", reviewedBy: officer.id },
    });
    expect((await review({ outcome: "unjustified", note: "again" })).status).toBe(409);

    const list = await worker.fetch("/api/break-glass?unreviewed=false", {
      host: tenant.hostname,
      headers: bearer(accessToken),
    });
    expect(list.status).toBe(200);
    const grants = (await list.json()) as Array<{ id: string; justification: string; userId: string }>;
    expect(grants.find((g) => g.id === id)).toMatchObject({ justification: JUSTIFICATION, userId: adminUser.id });
    const audit = await admin.query(
      "select 1 from audit_events where tenant_id = $1 and action = 'break_glass.reviewed' and target_id = $2",
      [tenant.id, id],
    );
    expect(audit.rows).toHaveLength(1);
  });
});
