/**
 * Request bodies are bounded per route family before anything parses them: a Markdown post may be up to
 * 1 MiB, every other API JSON body 16 KiB. Larger bodies answer 413 `payload_too_large` problem+json and
 * nothing is written.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let author: TestUser;
let token: string;

const KiB = 1024;
const MiB = 1024 * KiB;

async function counts(): Promise<{ audit: number; content: number }> {
  const audit = await admin.query<{ n: number }>("select count(*)::int as n from audit_events where tenant_id = $1", [
    tenant.id,
  ]);
  const content = await admin.query<{ n: number }>(
    "select count(*)::int as n from content_items where tenant_id = $1",
    [tenant.id],
  );
  return { audit: audit.rows[0]!.n, content: content.rows[0]!.n };
}

async function expectTooLarge(res: Response): Promise<void> {
  expect(res.status).toBe(413);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
}

function createPost(body: string, init: { streamed?: boolean } = {}): Promise<Response> {
  const payload = JSON.stringify({ title: "Texto enorme", locale: "pt-BR", bodyMarkdown: body });
  return worker.fetch("/api/posts", {
    host: tenant.hostname,
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: init.streamed ? new Blob([payload]).stream() : payload,
    ...(init.streamed ? { duplex: "half" } : {}),
  } as RequestInit & { host: string });
}

beforeAll(async () => {
  admin = await adminClient();
  tenant = await seedTenant(admin, "limits");
  worker = await startWorker();
  author = await createUser(admin, tenant, { roles: ["author"] });
  token = (await signIn(worker, tenant.hostname, author)).accessToken;
});
afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

describe("request body limits", () => {
  it("answers 413 to a 2 MiB post and writes nothing", async () => {
    const before = await counts();
    await expectTooLarge(await createPost("a".repeat(2 * MiB)));
    expect(await counts()).toEqual(before);
  });

  it("answers 413 to a 2 MiB post sent without a Content-Length", async () => {
    const before = await counts();
    await expectTooLarge(await createPost("a".repeat(2 * MiB), { streamed: true }));
    expect(await counts()).toEqual(before);
  });

  it("still accepts a post of normal size", async () => {
    const res = await createPost("# Título\n\n" + "Texto. ".repeat(9_000));
    expect(res.status).toBe(201);
  });

  it("answers 413 to a 64 KiB sign-in body and records no attempt", async () => {
    const before = await counts();
    const res = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: author.email, password: "x".repeat(64 * KiB) }),
    });
    await expectTooLarge(res);
    expect(await counts()).toEqual(before);
  });

  it("still signs in with a normal body", async () => {
    expect((await signIn(worker, tenant.hostname, author)).accessToken).toBeTruthy();
  });
});

describe("text that is not Unicode", () => {
  // JSON can spell half of a UTF-16 pair (`"\ud800"`); it is no character, PostgreSQL would store U+FFFD in
  // its place and the audit hash refuses it, so the body is refused before anything reads it.
  it.each([
    ["a lone high surrogate in the title", '{"title":"Press\\ud800o","locale":"pt-BR","bodyMarkdown":"Texto."}'],
    ["a lone low surrogate in the body", '{"title":"Pressao","locale":"pt-BR","bodyMarkdown":"Te\\udc00xto."}'],
    ["a lone surrogate in a key", '{"title":"Pressao","locale":"pt-BR","bodyMarkdown":"Texto.","\\ud800":1}'],
  ])("answers 422 validation_failed to %s and writes nothing", async (_label, payload) => {
    const before = await counts();
    const res = await worker.fetch("/api/posts", {
      host: tenant.hostname,
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: payload,
    } as RequestInit & { host: string });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    expect(await counts()).toEqual(before);
  });

  it("accepts a whole surrogate pair (an emoji) in the same places", async () => {
    const res = await worker.fetch("/api/posts", {
      host: tenant.hostname,
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: '{"title":"Coracao \\ud83e\\udec0","locale":"pt-BR","bodyMarkdown":"Texto \\ud83e\\udec0."}',
    } as RequestInit & { host: string });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { title: string }).title).toBe("Coracao \u{1FAC0}");
  });
});
