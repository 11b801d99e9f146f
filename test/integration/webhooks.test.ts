import { createHash } from "node:crypto";
import type pg from "pg";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { makeDicom } from "../support/dicom.js";
import { pngImage } from "../support/images.js";
import { insertSubject } from "../support/media.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { type Received, type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { startWorker, type TestWorker } from "../support/worker.js";

/**
 * Webhooks end to end: an admin registers an endpoint, content changes queue deliveries in the outbox, the Worker
 * signs them per Standard Webhooks and a receiver on loopback verifies them with the `standardwebhooks` library;
 * failed attempts are retried with backoff and logged; URLs that reach private networks are refused at
 * registration (literally and through DNS, answered by local-cloud/dns-over-https.ts) and before each delivery.
 */

/** The keys a content event's data may have: nothing the public site does not show anyone. */
const CONTENT_DATA_KEYS = [
  "complianceLevel",
  "id",
  "locale",
  "publishedAt",
  "slug",
  "title",
  "type",
  "updatedAt",
  "url",
].sort();

describe("webhooks", () => {
  let worker: TestWorker;
  let strictWorker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let other: SeededTenant;
  let f: SiteFixture;
  let adminToken: string;
  let otherAdminToken: string;
  let receiver: Receiver;

  const call = (w: TestWorker, host: string, token: string, method: string, path: string, body?: unknown) =>
    w.fetch(path, {
      host,
      method,
      headers: { ...bearer(token), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const asAdmin = (method: string, path: string, body?: unknown) =>
    call(worker, site.hostname, adminToken, method, path, body);
  const register = async (body: Record<string, unknown>) => {
    const response = await asAdmin("POST", "/api/webhooks", body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { id: string; secret: string; url: string; events: string[] };
  };
  const outboxOf = async (endpointId: string) =>
    (
      await admin.query<{ id: string; status: string; attempts: number; next_attempt_at: Date; retry_in: number }>(
        `select id, status, attempts, next_attempt_at,
                extract(epoch from next_attempt_at - now())::int as retry_in
           from outbox where tenant_id = $1 and channel = 'webhook' and recipient = $2 order by created_at`,
        [site.id, endpointId],
      )
    ).rows;
  const runJob = async () => (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
  const makeDue = (endpointId: string) =>
    admin.query(
      "update outbox set next_attempt_at = now() where channel = 'webhook' and recipient = $1 and status = 'pending'",
      [endpointId],
    );
  const disable = async (id: string) =>
    expect((await asAdmin("PATCH", `/api/webhooks/${id}`, { enabled: false })).status).toBe(200);

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "webhooks");
    other = await seedTenant(admin, "webhooks-other");
    receiver = await startReceiver();
    // The receiver runs on loopback over http: the development/test allowance, off everywhere else.
    worker = await startWorker({ WEBHOOK_ALLOW_LOOPBACK_HTTP: "true" });
    strictWorker = await startWorker();
    f = await siteFixture(admin, worker, site);
    const administrator = await createUser(admin, site, { roles: ["admin"] });
    adminToken = (await signIn(worker, site.hostname, administrator)).accessToken;
    const otherAdministrator = await createUser(admin, other, { roles: ["admin"] });
    otherAdminToken = (await signIn(worker, other.hostname, otherAdministrator)).accessToken;
  });

  afterAll(async () => {
    await worker?.dispose();
    await strictWorker?.dispose();
    await receiver?.close();
    await admin?.end();
  });

  it("delivers a publish signed per Standard Webhooks, with no body and nothing beyond what the site shows", async () => {
    const endpoint = await register({
      url: receiver.url("/signed"),
      events: ["content.published", "content.unpublished"],
      description: "Partner CRM",
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    // The secret is shown once: never in the list or the endpoint's own view.
    const listed = await (await asAdmin("GET", "/api/webhooks")).text();
    expect(listed).toContain(endpoint.id);
    expect(listed).not.toContain(endpoint.secret);
    expect(await (await asAdmin("GET", `/api/webhooks/${endpoint.id}`)).text()).not.toContain("whsec_");
    const stored = await admin.query("select secret_sealed from webhook_endpoints where id = $1", [endpoint.id]);
    expect(stored.rows[0].secret_sealed).not.toContain(endpoint.secret.slice(6));

    const marker = "Corpo exclusivo do artigo 7731";
    const post = await f.publish("posts", {
      title: "Hipertensão: o que saber",
      slug: "hipertensao-o-que-saber",
      locale: "pt-BR",
      bodyMarkdown: `${marker}. Meça a pressão regularmente e siga a orientação médica.`,
    });
    const professional = await f.publish("posts", {
      title: "Protocolo de titulação",
      slug: "protocolo-titulacao",
      locale: "pt-BR",
      complianceLevel: "professional",
      bodyMarkdown: `${marker} profissional. Ajuste de dose conforme diretriz.`,
    });
    await eventually(async () => expect(receiver.at("/signed")).toHaveLength(2));

    const verifier = new Webhook(endpoint.secret);
    const events = receiver.at("/signed").map((request) => {
      expect(request.headers["content-type"]).toBe("application/json");
      const payload = verifier.verify(request.body, {
        "webhook-id": request.headers["webhook-id"] as string,
        "webhook-timestamp": request.headers["webhook-timestamp"] as string,
        "webhook-signature": request.headers["webhook-signature"] as string,
      }) as { type: string; timestamp: string; data: Record<string, unknown> };
      // Tampering is caught by the same verifier: the check above can fail.
      expect(() =>
        verifier.verify(request.body.replace("pt-BR", "en"), {
          "webhook-id": request.headers["webhook-id"] as string,
          "webhook-timestamp": request.headers["webhook-timestamp"] as string,
          "webhook-signature": request.headers["webhook-signature"] as string,
        }),
      ).toThrow();
      expect(request.body).not.toContain(marker);
      expect(request.body).not.toMatch(/bodyMarkdown|bodyHtml|excerpt|author|reviewer|crm/i);
      expect(Object.keys(payload.data).sort()).toEqual(CONTENT_DATA_KEYS);
      return payload;
    });
    const byId = new Map(events.map((event) => [event.data.id, event]));
    expect(byId.get(post.id)).toMatchObject({
      type: "content.published",
      data: {
        slug: "hipertensao-o-que-saber",
        locale: "pt-BR",
        title: "Hipertensão: o que saber",
        complianceLevel: "public",
        url: `https://${site.hostname}/pt-br/posts/hipertensao-o-que-saber/`,
      },
    });
    expect(byId.get(professional.id)).toMatchObject({
      type: "content.published",
      data: { complianceLevel: "professional" },
    });

    // Unpublishing is announced too, to the endpoints that subscribe to it.
    expect((await f.move("posts", post.id, { to: "draft", reason: "Revisar a dose citada." })).status).toBe(200);
    await eventually(async () => expect(receiver.at("/signed")).toHaveLength(3));
    const last = receiver.at("/signed")[2]!;
    expect(JSON.parse(last.body)).toMatchObject({ type: "content.unpublished", data: { id: post.id } });

    const audited = await admin.query(
      "select action from audit_events where tenant_id = $1 and action in ('webhook.created', 'webhook.delivered')",
      [site.id],
    );
    expect(new Set(audited.rows.map((row) => row.action))).toEqual(new Set(["webhook.created", "webhook.delivered"]));
    await disable(endpoint.id);
  });

  it("announces an uploaded image as media.created, signed, with nothing about a person; never a patient's image or a DICOM study", async () => {
    const endpoint = await register({ url: receiver.url("/media"), events: ["media.created"] });
    // Uploaded by an editor signed in with a second factor on a known device: patients' files need PHI-level trust.
    const upload = async (file: {
      bytes: Uint8Array;
      kind: "image" | "dicom";
      contentType: string;
      filename: string;
      subjectId?: string;
    }) => {
      const started = await f.as("analyst", "/api/uploads", {
        filename: file.filename,
        size: file.bytes.length,
        contentType: file.contentType,
        sha256: createHash("sha256").update(file.bytes).digest("hex"),
        kind: file.kind,
        ...(file.subjectId ? { subjectId: file.subjectId } : {}),
      });
      expect(started.status, await started.clone().text()).toBe(201);
      const ticket = (await started.json()) as { id: string; url: string };
      const put = await fetch(ticket.url, {
        method: "PUT",
        headers: { "content-type": file.contentType },
        body: file.bytes as Uint8Array<ArrayBuffer>,
      });
      expect(put.status).toBe(200);
      const completed = await f.as("analyst", `/api/uploads/${ticket.id}/complete`, {});
      expect(completed.status, await completed.clone().text()).toBe(201);
      return (await completed.json()) as { id: string; size: number; createdAt: string };
    };

    // A patient's photo and a CT study: deliveries are queued in the completion's transaction, so none exists now.
    const subjectId = await insertSubject(admin, site.id, "paciente-webhook@example.test");
    const patientsImage = await upload({
      bytes: pngImage(24, 16),
      kind: "image",
      contentType: "image/png",
      filename: "lesao-paciente.png",
      subjectId,
    });
    const study = await makeDicom({ modality: "CT", patientName: "Silva^Maria" });
    const dicom = await upload({
      bytes: study.bytes,
      kind: "dicom",
      contentType: "application/dicom",
      filename: "Maria Silva - TC.dcm",
    });
    expect(await outboxOf(endpoint.id)).toEqual([]);

    const image = await upload({
      bytes: pngImage(40, 30),
      kind: "image",
      contentType: "image/png",
      filename: "consultorio-dr-joao-pereira.png",
    });
    await eventually(async () => expect(receiver.at("/media")).toHaveLength(1));
    const request = receiver.at("/media")[0]!;
    const payload = new Webhook(endpoint.secret).verify(request.body, {
      "webhook-id": request.headers["webhook-id"] as string,
      "webhook-timestamp": request.headers["webhook-timestamp"] as string,
      "webhook-signature": request.headers["webhook-signature"] as string,
    });
    expect(payload).toEqual({
      type: "media.created",
      timestamp: expect.any(String),
      data: { id: image.id, kind: "image", contentType: "image/png", size: image.size, createdAt: image.createdAt },
    });
    // Nothing of the file's name (which may name a person), its uploader or any data subject.
    expect(request.body).not.toMatch(/joao|pereira|filename|createdBy|subject|sha256/i);
    // Settled once the receiver's answer is in: one delivery, the image's.
    await eventually(async () => expect((await outboxOf(endpoint.id)).map((row) => row.status)).toEqual(["sent"]));
    expect(receiver.received.map((received) => received.body).join("\n")).not.toContain(patientsImage.id);
    expect(receiver.received.map((received) => received.body).join("\n")).not.toContain(dicom.id);
    await disable(endpoint.id);
  });

  it("retries a failing receiver on the Standard Webhooks schedule until it answers, and logs every attempt", async () => {
    const endpoint = await register({ url: receiver.url("/flaky"), events: ["content.published"] });
    receiver.script.set("/flaky", [
      { status: 500, body: "erro interno: paciente CPF 123.456.789-09\u0000\u001b[31m" },
      { status: 500, body: "still down" },
    ]);
    const post = await f.publish("posts", { title: "Vacina da gripe", slug: "vacina-gripe", locale: "pt-BR" });

    // The first attempt runs right after the commit and fails; the next is due about 5 s later.
    await eventually(async () =>
      expect((await outboxOf(endpoint.id))[0]).toMatchObject({ status: "pending", attempts: 1 }),
    );
    const first = (await outboxOf(endpoint.id))[0]!;
    await makeDue(endpoint.id);
    await runJob();
    // The second attempt fails too: the third waits about 5 minutes (4 to 6, jittered).
    const second = (await outboxOf(endpoint.id))[0]!;
    expect(second).toMatchObject({ status: "pending", attempts: 2 });
    expect(second.retry_in).toBeGreaterThan(60);
    expect(second.retry_in).toBeLessThanOrEqual(360);

    // Not due yet: the job leaves it alone.
    await runJob();
    expect((await outboxOf(endpoint.id))[0]).toMatchObject({ attempts: 2 });

    // Moved forward in the database instead of waited for: the third attempt goes through.
    await makeDue(endpoint.id);
    await runJob();
    expect((await outboxOf(endpoint.id))[0]).toMatchObject({ status: "sent", attempts: 3 });

    // Three attempts of one message: the same webhook-id, each signed afresh and valid.
    const attempts = receiver.at("/flaky");
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((request) => request.headers["webhook-id"]))).toEqual(new Set([first.id]));
    const verifier = new Webhook(endpoint.secret);
    for (const request of attempts) {
      expect(
        verifier.verify(request.body, {
          "webhook-id": request.headers["webhook-id"] as string,
          "webhook-timestamp": request.headers["webhook-timestamp"] as string,
          "webhook-signature": request.headers["webhook-signature"] as string,
        }),
      ).toMatchObject({ type: "content.published", data: { id: post.id } });
    }

    const page = (await (await asAdmin("GET", `/api/webhooks/${endpoint.id}/deliveries`)).json()) as {
      deliveries: Array<{
        id: string;
        status: string;
        attempts: number;
        log: Array<{
          attempt: number;
          statusCode: number;
          errorClass: string | null;
          excerpt: string | null;
          retryInSeconds: number | null;
          durationMs: number;
        }>;
      }>;
    };
    expect(page.deliveries).toHaveLength(1);
    const delivery = page.deliveries[0]!;
    expect(delivery).toMatchObject({ id: first.id, status: "sent", attempts: 3 });
    expect(delivery.log.map((entry) => [entry.attempt, entry.statusCode, entry.errorClass])).toEqual([
      [1, 500, "http_status"],
      [2, 500, "http_status"],
      [3, 200, null],
    ]);
    // The schedule's 5 s and 5 min, each moved by at most 20 %.
    expect(delivery.log[0]!.retryInSeconds).toBeGreaterThanOrEqual(4);
    expect(delivery.log[0]!.retryInSeconds).toBeLessThanOrEqual(6);
    expect(delivery.log[1]!.retryInSeconds).toBeGreaterThanOrEqual(240);
    expect(delivery.log[1]!.retryInSeconds).toBeLessThanOrEqual(360);
    expect(delivery.log[2]!.retryInSeconds).toBeNull();
    expect(delivery.log.every((entry) => entry.durationMs >= 0)).toBe(true);
    // The answer's excerpt is short and sanitised: no control characters, personal data patterns redacted.
    expect(delivery.log[0]!.excerpt).toContain("erro interno");
    expect(delivery.log[0]!.excerpt).not.toContain("123.456.789-09");
    expect([...delivery.log[0]!.excerpt!].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);

    // Redelivery: the same message again, with a fresh set of attempts.
    const redelivered = await asAdmin("POST", `/api/webhooks/${endpoint.id}/deliveries/${first.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    await eventually(async () => expect(receiver.at("/flaky")).toHaveLength(4));
    expect(receiver.at("/flaky")[3]!.headers["webhook-id"]).toBe(first.id);
    await eventually(async () =>
      expect((await outboxOf(endpoint.id))[0]).toMatchObject({ status: "sent", attempts: 1 }),
    );
    await disable(endpoint.id);
  });

  it("treats a redirect as a failed attempt and never follows it", async () => {
    const endpoint = await register({ url: receiver.url("/moved"), events: ["content.published"] });
    receiver.script.set("/moved", [{ status: 307, location: receiver.url("/elsewhere") }]);
    await f.publish("posts", { title: "Dengue: sinais de alerta", slug: "dengue-alerta", locale: "pt-BR" });
    await eventually(async () =>
      expect((await outboxOf(endpoint.id))[0]).toMatchObject({ status: "pending", attempts: 1 }),
    );
    expect(receiver.at("/moved")).toHaveLength(1);
    expect(receiver.at("/elsewhere")).toHaveLength(0);
    const log = await admin.query("select status_code, error_class from webhook_attempts where endpoint_id = $1", [
      endpoint.id,
    ]);
    expect(log.rows).toEqual([{ status_code: 307, error_class: "redirect" }]);
    await disable(endpoint.id);
  });

  it("checks the address again before every delivery: a host that now resolves privately is given up", async () => {
    const endpoint = await register({ url: receiver.url("/rebound"), events: ["content.published"] });
    // As if the name's records had changed since registration: the stand-in resolves this one to 10.20.30.40.
    await admin.query("update webhook_endpoints set url = 'https://intranet.example.com/hooks' where id = $1", [
      endpoint.id,
    ]);
    await f.publish("posts", { title: "Sarampo", slug: "sarampo", locale: "pt-BR" });
    await eventually(async () =>
      expect((await outboxOf(endpoint.id))[0]).toMatchObject({ status: "dead", attempts: 1 }),
    );
    const log = await admin.query("select status_code, error_class from webhook_attempts where endpoint_id = $1", [
      endpoint.id,
    ]);
    expect(log.rows).toEqual([{ status_code: null, error_class: "address_refused" }]);
    expect(receiver.at("/rebound")).toHaveLength(0);
    await disable(endpoint.id);
  });

  it("refuses private, loopback, link-local and metadata URLs at registration, literally and through DNS", async () => {
    const strictAdmin = (await signIn(strictWorker, site.hostname, await createUser(admin, site, { roles: ["admin"] })))
      .accessToken;
    const attempt = async (w: TestWorker, token: string, url: string) => {
      const response = await call(w, site.hostname, token, "POST", "/api/webhooks", {
        url,
        events: ["content.published"],
      });
      return { status: response.status, code: ((await response.json()) as { code?: string }).code };
    };
    const refusedAsPrivate = [
      "https://127.0.0.1/hooks",
      "https://localhost/hooks",
      "https://10.0.0.5/hooks",
      "https://192.168.10.1/hooks",
      "https://100.64.3.2/hooks",
      "https://169.254.169.254/latest/meta-data/",
      "https://[fd00:ec2::254]/",
      "https://[::ffff:7f00:1]/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://printer.local/",
      // Through DNS (local-cloud/fixtures/dns/records.json): every A/AAAA record must be public.
      "https://intranet.example.com/hooks",
      "https://mixed.example.com/hooks",
      "https://metadata.example.com/hooks",
      "https://v6-private.example.com/hooks",
      "https://mapped.example.com/hooks",
      "https://cgnat.example.com/hooks",
    ];
    for (const url of refusedAsPrivate) {
      expect(await attempt(strictWorker, strictAdmin, url), url).toEqual({
        status: 422,
        code: "webhook_address_private",
      });
    }
    // With the allowance off, a loopback receiver over http is refused too.
    expect(await attempt(strictWorker, strictAdmin, receiver.url("/hooks"))).toEqual({
      status: 422,
      code: "webhook_url_invalid",
    });
    // The allowance covers loopback only: private networks stay refused with it on.
    expect(await attempt(worker, adminToken, "https://10.0.0.5/hooks")).toEqual({
      status: 422,
      code: "webhook_address_private",
    });
    for (const url of [
      "http://webhooks.example.com/hooks",
      "https://user:pass@webhooks.example.com/hooks",
      "https://webhooks.example.com:8080/hooks",
    ]) {
      expect(await attempt(strictWorker, strictAdmin, url), url).toEqual({ status: 422, code: "webhook_url_invalid" });
    }
    expect(await attempt(strictWorker, strictAdmin, "https://nowhere.example.com/")).toEqual({
      status: 422,
      code: "webhook_host_unresolvable",
    });
    const total = await admin.query("select count(*)::int as n from webhook_endpoints where tenant_id = $1", [site.id]);

    // A public name (through a CNAME) is taken, and can be removed again.
    const accepted = await call(strictWorker, site.hostname, strictAdmin, "POST", "/api/webhooks", {
      url: "https://hooks.partner.example/vitalis",
      events: ["media.created"],
      enabled: false,
    });
    expect(accepted.status).toBe(201);
    const { id } = (await accepted.json()) as { id: string };
    expect(
      (
        await call(strictWorker, site.hostname, strictAdmin, "PATCH", `/api/webhooks/${id}`, {
          url: "https://10.9.8.7/",
        })
      ).status,
    ).toBe(422);
    expect((await call(strictWorker, site.hostname, strictAdmin, "DELETE", `/api/webhooks/${id}`)).status).toBe(204);
    const after = await admin.query("select count(*)::int as n from webhook_endpoints where tenant_id = $1", [site.id]);
    expect(after.rows[0].n).toBe(total.rows[0].n);
  });

  it("rotates the signing secret with a day's overlap: the old one still verifies during it, not after", async () => {
    const endpoint = await register({ url: receiver.url("/rotated"), events: ["content.published"] });
    // An option sent as text is refused, not read as no body (keepPrevious: false would be dropped).
    const asText = await worker.fetch(`/api/webhooks/${endpoint.id}/secret`, {
      host: site.hostname,
      method: "POST",
      headers: { ...bearer(adminToken), "content-type": "text/plain" },
      body: JSON.stringify({ keepPrevious: false }),
    });
    expect(asText.status).toBe(422);
    // No body at all takes the defaults, which keep the previous secret for the overlap.
    const rotated = await worker.fetch(`/api/webhooks/${endpoint.id}/secret`, {
      host: site.hostname,
      method: "POST",
      headers: bearer(adminToken),
    });
    expect(rotated.status).toBe(200);
    const { secret, previousSecretExpiresAt } = (await rotated.json()) as {
      secret: string;
      previousSecretExpiresAt: string;
    };
    expect(secret).not.toBe(endpoint.secret);
    const hoursLeft = (Date.parse(previousSecretExpiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    // The previous secret is kept sealed like the current one, never in the clear.
    const stored = await admin.query(
      "select secret_sealed, previous_secret_sealed from webhook_endpoints where id = $1",
      [endpoint.id],
    );
    expect(stored.rows[0].previous_secret_sealed).toBeTruthy();
    expect(stored.rows[0].previous_secret_sealed).not.toContain(endpoint.secret.slice(6));
    expect(stored.rows[0].previous_secret_sealed).not.toBe(stored.rows[0].secret_sealed);

    const headersOf = (request: Received) => ({
      "webhook-id": request.headers["webhook-id"] as string,
      "webhook-timestamp": request.headers["webhook-timestamp"] as string,
      "webhook-signature": request.headers["webhook-signature"] as string,
    });
    const verifies = (key: string, request: Received) => {
      try {
        new Webhook(key).verify(request.body, headersOf(request));
        return true;
      } catch {
        return false;
      }
    };

    // During the overlap every attempt carries both signatures: a receiver with either secret verifies it.
    await f.publish("posts", { title: "Tuberculose", slug: "tuberculose", locale: "pt-BR" });
    await eventually(async () => expect(receiver.at("/rotated")).toHaveLength(1));
    const during = receiver.at("/rotated")[0]!;
    expect(headersOf(during)["webhook-signature"].split(" ")).toHaveLength(2);
    expect(verifies(secret, during)).toBe(true);
    expect(verifies(endpoint.secret, during)).toBe(true);

    // Once the window has passed (moved in the database, not waited for) only the new secret signs.
    await admin.query(
      "update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = $1",
      [endpoint.id],
    );
    await f.publish("posts", { title: "Hanseníase", slug: "hanseniase", locale: "pt-BR" });
    await eventually(async () => expect(receiver.at("/rotated")).toHaveLength(2));
    const after = receiver.at("/rotated")[1]!;
    expect(headersOf(after)["webhook-signature"].split(" ")).toHaveLength(1);
    expect(verifies(secret, after)).toBe(true);
    expect(verifies(endpoint.secret, after)).toBe(false);
    const view = (await (await asAdmin("GET", `/api/webhooks/${endpoint.id}`)).json()) as {
      previousSecretExpiresAt: string | null;
    };
    expect(view.previousSecretExpiresAt).toBeNull();
    // The webhook job erases the lapsed secret, as the system, audited.
    await runJob();
    const erased = await admin.query(
      "select previous_secret_sealed, previous_secret_expires_at from webhook_endpoints where id = $1",
      [endpoint.id],
    );
    expect(erased.rows).toEqual([{ previous_secret_sealed: null, previous_secret_expires_at: null }]);
    const audited = await admin.query<{ action: string; actor_type: string; details: Record<string, unknown> }>(
      `select action, actor_type, details from audit_events
        where tenant_id = $1 and target_id = $2 and action like 'webhook.%secret%' order by seq`,
      [site.id, endpoint.id],
    );
    expect(audited.rows.map((row) => [row.action, row.actor_type])).toEqual([
      ["webhook.secret_rotated", "user"],
      ["webhook.previous_secret_erased", "system"],
    ]);
    expect(audited.rows[0]!.details).toEqual({ previousValidUntil: previousSecretExpiresAt });

    // A secret that leaked is replaced without an overlap: it stops verifying at once.
    const revoked = await asAdmin("POST", `/api/webhooks/${endpoint.id}/secret`, { keepPrevious: false });
    expect(revoked.status).toBe(200);
    const replacement = (await revoked.json()) as { secret: string; previousSecretExpiresAt: string | null };
    expect(replacement.previousSecretExpiresAt).toBeNull();
    await f.publish("posts", { title: "Coqueluche", slug: "coqueluche", locale: "pt-BR" });
    await eventually(async () => expect(receiver.at("/rotated")).toHaveLength(3));
    const leaked = receiver.at("/rotated")[2]!;
    expect(verifies(replacement.secret, leaked)).toBe(true);
    expect(verifies(secret, leaked)).toBe(false);
    await disable(endpoint.id);
  });

  it("is for admins only", async () => {
    for (const who of ["editor", "author", "reviewer"] as const) {
      const list = await call(worker, site.hostname, f.tokens[who], "GET", "/api/webhooks");
      expect(list.status, who).toBe(403);
      const create = await call(worker, site.hostname, f.tokens[who], "POST", "/api/webhooks", {
        url: receiver.url("/nope"),
        events: ["content.published"],
      });
      expect(create.status, who).toBe(403);
    }
    const anonymous = await worker.fetch("/api/webhooks", { host: site.hostname });
    expect(anonymous.status).toBe(401);
  });

  it("keeps each tenant's endpoints and deliveries to itself", async () => {
    const endpoint = await register({ url: receiver.url("/isolated"), events: ["content.published"] });
    await f.publish("posts", { title: "Asma", slug: "asma-isolamento", locale: "pt-BR" });
    await eventually(async () => expect(receiver.at("/isolated")).toHaveLength(1));
    const [delivery] = await outboxOf(endpoint.id);
    const asOther = (method: string, path: string, body?: unknown) =>
      call(worker, other.hostname, otherAdminToken, method, path, body);

    expect(await (await asOther("GET", "/api/webhooks")).json()).toEqual([]);
    expect((await asOther("GET", `/api/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await asOther("PATCH", `/api/webhooks/${endpoint.id}`, { enabled: false })).status).toBe(404);
    expect((await asOther("POST", `/api/webhooks/${endpoint.id}/secret`, {})).status).toBe(404);
    expect((await asOther("GET", `/api/webhooks/${endpoint.id}/deliveries`)).status).toBe(404);
    expect((await asOther("POST", `/api/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`)).status).toBe(
      404,
    );
    expect((await asOther("DELETE", `/api/webhooks/${endpoint.id}`)).status).toBe(404);
    // Another tenant's endpoint is not its own: the same ids through the other tenant's host change nothing.
    const still = await admin.query("select enabled from webhook_endpoints where id = $1", [endpoint.id]);
    expect(still.rows).toEqual([{ enabled: true }]);

    // The other tenant's publications never reach this tenant's endpoint.
    const otherSite = await siteFixture(admin, worker, other);
    await otherSite.publish("posts", { title: "Outra clínica", slug: "outra-clinica", locale: "pt-BR" });
    const queued = await admin.query(
      "select count(*)::int as n from outbox where tenant_id = $1 and channel = 'webhook'",
      [other.id],
    );
    expect(queued.rows[0].n).toBe(0);
    expect(await outboxOf(endpoint.id)).toHaveLength(1);
    await disable(endpoint.id);
  });
});
