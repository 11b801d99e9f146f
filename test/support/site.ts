/**
 * Shared set-up of the public-site tests: a tenant with writers, a verified medical reviewer and a verified
 * professional reader, and helpers that move content through the real workflow of the admin API.
 */
import type pg from "pg";
import { bearer, createUser, signIn } from "./auth.js";
import type { SeededTenant } from "./db.js";
import { signInWithMfa } from "./mfa.js";
import type { TestWorker } from "./worker.js";

export type Who = "author" | "editor" | "reviewer" | "professional" | "analyst";

export interface SiteFixture {
  tokens: Record<Who, string>;
  reviewerName: string;
  authorName: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  as(who: Who, path: string, body?: unknown, method?: string): Promise<Response>;
  /** Creates an item and walks it to `published` (or `approved` with `stopAt`); returns its id and wp id. */
  publish(
    type: "posts" | "pages",
    fields: Record<string, unknown>,
    options?: { stopAt?: "approved" },
  ): Promise<{ id: string; wpId: number }>;
  move(type: "posts" | "pages", id: string, body: Record<string, unknown>): Promise<Response>;
}

export async function siteFixture(
  admin: pg.Client,
  worker: TestWorker,
  site: SeededTenant,
  options: { reviewerCredential?: { crm: string; uf: string; rqe?: string[]; specialty?: string } } = {},
): Promise<SiteFixture> {
  const reviewerName = "Dra. Helena Prado";
  const authorName = "Dr. Autor Público";
  const tokens = {} as Record<Who, string>;
  const people = {
    author: { roles: ["author" as const], name: authorName },
    editor: { roles: ["editor" as const] },
    reviewer: {
      roles: ["medical_reviewer" as const],
      verifiedCredential: options.reviewerCredential ?? { crm: "123456", uf: "SP" },
      name: reviewerName,
    },
    professional: { roles: ["reader_professional" as const], verifiedCredential: { crm: "654321", uf: "RJ" } },
  };
  for (const [who, options] of Object.entries(people) as Array<
    [keyof typeof people, (typeof people)[keyof typeof people]]
  >) {
    const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
    tokens[who] = (await signIn(worker, site.hostname, user)).accessToken;
  }
  // An editor signed in with a second factor runs the analyses: analysing a PHI item needs PHI-level trust.
  const analyst = await createUser(admin, site, { roles: ["editor"] });
  // Its browser keeps the device cookie of that sign-in: PHI-level trust needs a known device.
  const analystSession = await signInWithMfa(worker, site.hostname, analyst);
  tokens.analyst = analystSession.accessToken;
  const cookies: Partial<Record<Who, string>> = { analyst: analystSession.deviceCookie };
  const api = (path: string, init: RequestInit = {}) => worker.fetch(path, { host: site.hostname, ...init });
  const as = (who: Who, path: string, body?: unknown, method = "POST") =>
    api(path, {
      method,
      headers: {
        ...bearer(tokens[who]),
        "content-type": "application/json",
        ...(cookies[who] ? { cookie: cookies[who] } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const move = async (type: "posts" | "pages", id: string, body: Record<string, unknown>) => {
    const who: Who = body.to === "in_review" ? "author" : body.to === "approved" ? "reviewer" : "editor";
    return as(who, `/api/${type}/${id}/transitions`, body);
  };
  const publish: SiteFixture["publish"] = async (type, fields, options = {}) => {
    const created = await as("author", `/api/${type}`, fields);
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
    const item = (await created.json()) as { id: string; wpId: number };
    // Approval and publishing need an analysis of the current revision (the publish gate).
    const analysed = await as("analyst", `/api/${type}/${item.id}/analysis`);
    if (analysed.status !== 200) throw new Error(`analysis failed: ${analysed.status} ${await analysed.text()}`);
    const steps = ["in_review", "medical_review", "approved", ...(options.stopAt ? [] : ["published"])];
    for (const to of steps) {
      const res = await move(type, item.id, { to });
      if (res.status !== 200) throw new Error(`transition to ${to} failed: ${res.status} ${await res.text()}`);
    }
    return item;
  };
  return { tokens, reviewerName, authorName, api, as, publish, move };
}

/** Retries `check` until it passes (purges run in the Worker's waitUntil, just after the response). */
export async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
