import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, createUser, jsonPost, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { waitForMail } from "../support/mail.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const ARTICLE = "/pt-br/posts/dose-ajuste-renal/";
const PUBLIC_ARTICLE = "/pt-br/posts/beber-agua/";
const SECRET_SENTENCE = "Reduza a dose em 50% quando a depuração for menor que 30 mL/min.";

/** The `name=value` pair of a Set-Cookie header for `name`, and the whole header line. */
function cookieOf(response: Response, name: string): { pair: string; line: string } | null {
  for (const line of response.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return { pair: line.split(";")[0]!, line };
  }
  return null;
}

function hiddenValue(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no hidden ${name} in the page`);
  return match[1];
}

/**
 * Professional readers on the public site: the site's own sign-in sets an HttpOnly session cookie (not a bearer
 * token), professional articles open in full only to a verified professional and never enter a shared cache, every
 * form POST is refused from another site, and sign-out and a password change end the session at once.
 */
describe("professional readers on the public site", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let verified: TestUser;
  let unverified: TestUser;
  let origin: string;

  const get = (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(path, { host: site.hostname, headers, redirect: "manual" });

  /** A form page's CSRF token and the pre-session cookie it was issued with (when signed out). */
  async function formToken(path: string, cookie?: string): Promise<{ csrf: string; cookie: string }> {
    const page = await get(path, cookie ? { cookie } : {});
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    const csrf = hiddenValue(await page.text(), "csrf");
    const preSession = cookieOf(page, "__Host-vitalis_csrf")?.pair;
    return { csrf, cookie: [cookie, preSession].filter(Boolean).join("; ") };
  }

  function post(path: string, form: Record<string, string>, headers: Record<string, string>) {
    return worker.fetch(path, {
      host: site.hostname,
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Signs in through the site's form; returns the session cookie pair. */
  async function siteSignIn(user: Pick<TestUser, "email" | "password">): Promise<string> {
    const { csrf, cookie } = await formToken("/pt-br/entrar");
    const response = await post(
      "/pt-br/entrar",
      { csrf, email: user.email, password: user.password, next: ARTICLE },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(ARTICLE);
    const session = cookieOf(response, "__Host-vitalis_site");
    if (!session) throw new Error("no session cookie");
    return session.pair;
  }

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "readers");
    origin = `http://${site.hostname}`;
    verified = await createUser(admin, site, {
      roles: ["reader_professional"],
      verifiedCredential: { crm: "445566", uf: "MG" },
    });
    unverified = await createUser(admin, site, { roles: ["reader_professional"] });
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at,
         compliance_level)
       values ($1, 'post', 'Ajuste de dose na insuficiência renal', 'dose-ajuste-renal', $2, 'Para nefrologistas.', 'pt-BR', $3,
         'published', now(), 'professional'),
              ($1, 'post', 'Beber água', 'beber-agua', '<p>Beba água.</p>', 'Hidratação.', 'pt-BR', $3, 'published', now(),
         'public')`,
      [site.id, `<p>${SECRET_SENTENCE}</p>`, site.userId],
    );
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("signs a verified professional in with a Secure, HttpOnly, SameSite=Lax host cookie and opens the article", async () => {
    const { csrf, cookie } = await formToken("/pt-br/entrar");
    const response = await post(
      "/pt-br/entrar",
      { csrf, email: verified.email, password: verified.password, next: ARTICLE },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(response.status).toBe(303);
    const session = cookieOf(response, "__Host-vitalis_site")!;
    expect(session.line).toMatch(/; HttpOnly/i);
    expect(session.line).toMatch(/; Secure/i);
    expect(session.line).toMatch(/; SameSite=Lax/i);
    expect(session.line).toMatch(/; Path=\//i);
    expect(session.line).not.toMatch(/Domain=/i);
    // The cookie is the site's own session, not an API bearer token.
    const api = await worker.fetch("/api/me", { host: site.hostname, headers: { cookie: session.pair } });
    expect(api.status).toBe(401);
    const asBearer = await worker.fetch("/api/me", {
      host: site.hostname,
      headers: bearer(session.pair.split("=")[1]!),
    });
    expect(asBearer.status).toBe(401);

    const page = await get(ARTICLE, { cookie: session.pair });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect(page.headers.get("x-vitalis-cache")).toBe("bypass");
    const html = await page.text();
    expect(html).toContain(SECRET_SENTENCE);
    expect(html).toContain('action="/pt-br/sair"');
  });

  it("shows the teaser, linking to the site's sign-in, to an anonymous reader and to an unverified professional", async () => {
    const anonymous = await get(ARTICLE);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("cache-control")).toBe("private, no-store");
    const html = await anonymous.text();
    expect(html).not.toContain(SECRET_SENTENCE);
    expect(html).toContain(`href="/pt-br/entrar?next=${encodeURIComponent(ARTICLE)}"`);

    const pending = await siteSignIn(unverified);
    const page = await get(ARTICLE, { cookie: pending });
    expect(page.status).toBe(200);
    const pendingHtml = await page.text();
    expect(pendingHtml).not.toContain(SECRET_SENTENCE);
    expect(pendingHtml).toContain('action="/pt-br/sair"');
  });

  it("never serves a signed-in reader from the shared caches, nor stores what they were served", async () => {
    // An anonymous reader warms both caches with the public article.
    expect((await get(PUBLIC_ARTICLE)).headers.get("x-vitalis-cache")).toBe("miss");
    const warm = await get(PUBLIC_ARTICLE);
    expect(warm.headers.get("x-vitalis-cache")).toBe("hit");
    expect(await warm.text()).not.toContain('action="/pt-br/sair"');

    const session = await siteSignIn(verified);
    const signedIn = await get(PUBLIC_ARTICLE, { cookie: session });
    expect(signedIn.headers.get("x-vitalis-cache")).toBe("bypass");
    expect(signedIn.headers.get("cache-control")).toBe("private, no-store");
    expect(signedIn.headers.get("cache-tag")).toBeNull();
    const signedInHtml = await signedIn.text();
    expect(signedInHtml).toContain('action="/pt-br/sair"');

    // A cookie that no longer verifies still keeps the request away from the shared copies.
    const stale = await get(PUBLIC_ARTICLE, { cookie: "__Host-vitalis_site=not.a.session" });
    expect(stale.headers.get("x-vitalis-cache")).toBe("bypass");

    // The anonymous copy was not replaced by the signed-in render.
    const after = await get(PUBLIC_ARTICLE);
    expect(after.headers.get("x-vitalis-cache")).toBe("hit");
    expect(await after.text()).not.toContain('action="/pt-br/sair"');
  });

  it("refuses a cross-site POST: another origin, cross-site fetch metadata, or a missing or foreign token", async () => {
    const { csrf, cookie } = await formToken("/pt-br/entrar");
    const form = { csrf, email: verified.email, password: verified.password };
    const attempts: Array<[Record<string, string>, Record<string, string>]> = [
      [form, { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
      [form, { cookie, origin, "sec-fetch-site": "cross-site" }],
      [form, { cookie }],
      [
        { ...form, csrf: "" },
        { cookie, origin, "sec-fetch-site": "same-origin" },
      ],
      // Another browser's token: bound to its own pre-session cookie, so it is worthless here.
      [
        { ...form, csrf: (await formToken("/pt-br/entrar")).csrf },
        { cookie, origin, "sec-fetch-site": "same-origin" },
      ],
    ];
    for (const [body, headers] of attempts) {
      const response = await post("/pt-br/entrar", body, headers);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('data-problem="csrf_refused"');
      expect(cookieOf(response, "__Host-vitalis_site")).toBeNull();
    }

    // Signed in, sign-out from another site does not end the session.
    const session = await siteSignIn(verified);
    const forged = await post(
      "/pt-br/sair",
      { csrf: "forged" },
      { cookie: session, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    );
    expect(forged.status).toBe(403);
    expect(await (await get(ARTICLE, { cookie: session })).text()).toContain(SECRET_SENTENCE);
  });

  it("ends the session at sign-out: the same cookie presented again reads the teaser", async () => {
    const session = await siteSignIn(verified);
    const page = await (await get(ARTICLE, { cookie: session })).text();
    const csrf = hiddenValue(page, "csrf");
    const out = await post("/pt-br/sair", { csrf }, { cookie: session, origin, "sec-fetch-site": "same-origin" });
    expect(out.status).toBe(303);
    expect(cookieOf(out, "__Host-vitalis_site")?.line).toMatch(/Max-Age=0/i);

    // A copy of the cookie kept by an attacker (or the browser's history) is void.
    const replay = await get(ARTICLE, { cookie: session });
    expect(replay.status).toBe(303);
    expect(cookieOf(replay, "__Host-vitalis_site")?.line).toMatch(/Max-Age=0/i);
    const again = await get(ARTICLE, { cookie: "" });
    expect(await again.text()).not.toContain(SECRET_SENTENCE);
  });

  it("ends every site session when the password changes", async () => {
    const user = await createUser(admin, site, {
      roles: ["reader_professional"],
      verifiedCredential: { crm: "778899", uf: "RS" },
    });
    const session = await siteSignIn(user);
    expect(await (await get(ARTICLE, { cookie: session })).text()).toContain(SECRET_SENTENCE);
    const { accessToken } = await signIn(worker, site.hostname, user);
    // A new second starts after the session's issue second (revocation is by whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const changed = await worker.fetch("/api/me/password", {
      host: site.hostname,
      method: "POST",
      headers: { ...bearer(accessToken), "content-type": "application/json" },
      body: JSON.stringify({ currentPassword: user.password, newPassword: "a brand new passphrase for tests" }),
    });
    expect(changed.status).toBe(200);
    const after = await get(ARTICLE, { cookie: session });
    expect(after.status).toBe(303);
    expect(cookieOf(after, "__Host-vitalis_site")?.line).toMatch(/Max-Age=0/i);
  });

  it("asks a member with a second factor for the code; a wrong code is refused; the pending step alone grants nothing", async () => {
    const user = await createUser(admin, site, {
      roles: ["reader_professional"],
      verifiedCredential: { crm: "667788", uf: "SC" },
    });
    const { accessToken } = await signIn(worker, site.hostname, user);
    const enrol = await worker.fetch("/api/me/mfa/enrol", {
      host: site.hostname,
      ...jsonPost({ currentPassword: user.password }, bearer(accessToken)),
    });
    const { secret } = (await enrol.json()) as { secret: string };
    const step = totpStep();
    const confirmed = await worker.fetch("/api/me/mfa/confirm", {
      host: site.hostname,
      ...jsonPost({ code: await totpCode(secret, step) }, bearer(accessToken)),
    });
    expect(confirmed.status).toBe(200);

    // The password step: no session, only the challenge in an HttpOnly cookie, and on to the code step.
    const { csrf, cookie } = await formToken("/pt-br/entrar");
    const password = await post(
      "/pt-br/entrar",
      { csrf, email: user.email, password: user.password, next: ARTICLE },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(password.status).toBe(303);
    expect(password.headers.get("location")).toBe(`/pt-br/entrar/codigo?next=${encodeURIComponent(ARTICLE)}`);
    expect(cookieOf(password, "__Host-vitalis_site")).toBeNull();
    const pending = cookieOf(password, "__Host-vitalis_mfa")!;
    expect(pending.line).toMatch(/; HttpOnly/i);
    expect(pending.line).toMatch(/; Secure/i);
    expect(pending.line).toMatch(/; SameSite=Strict/i);
    expect(pending.line).not.toContain(encodeURIComponent(user.password));

    // The pending step alone grants nothing: not as itself, not as a session cookie, not as a bearer token.
    const withPending = await get(ARTICLE, { cookie: `${cookie}; ${pending.pair}` });
    const pendingHtml = await withPending.text();
    expect(pendingHtml).not.toContain(SECRET_SENTENCE);
    expect(pendingHtml).not.toContain('action="/pt-br/sair"');
    const asSession = await get(ARTICLE, { cookie: `__Host-vitalis_site=${pending.pair.split("=")[1]}` });
    expect(await asSession.text()).not.toContain(SECRET_SENTENCE);
    const asBearer = await worker.fetch("/api/me", {
      host: site.hostname,
      headers: bearer(pending.pair.split("=")[1]!),
    });
    expect(asBearer.status).toBe(401);

    // The code step's page, then a wrong code: refused on the same page, counted, no session.
    const both = `${cookie}; ${pending.pair}`;
    const page = await get(`/pt-br/entrar/codigo?next=${encodeURIComponent(ARTICLE)}`, { cookie: both });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    const pageHtml = await page.text();
    expect(pageHtml).toContain('autocomplete="one-time-code"');
    const codeCsrf = hiddenValue(pageHtml, "csrf");
    const right = await totpCode(secret, step + 1);
    const wrong = await post(
      "/pt-br/entrar/codigo",
      { csrf: codeCsrf, code: right === "000000" ? "111111" : "000000", next: ARTICLE },
      { cookie: both, origin, "sec-fetch-site": "same-origin" },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('data-problem="invalid_mfa_code"');
    expect(cookieOf(wrong, "__Host-vitalis_site")).toBeNull();
    // Without the form's token the code is not even looked at.
    const forged = await post(
      "/pt-br/entrar/codigo",
      { csrf: "forged", code: right, next: ARTICLE },
      { cookie: both, origin, "sec-fetch-site": "same-origin" },
    );
    expect(forged.status).toBe(403);

    // The right code: the session, the pending step cleared, the article in full.
    const done = await post(
      "/pt-br/entrar/codigo",
      { csrf: codeCsrf, code: right, next: ARTICLE },
      { cookie: both, origin, "sec-fetch-site": "same-origin" },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(ARTICLE);
    expect(cookieOf(done, "__Host-vitalis_mfa")?.line).toMatch(/Max-Age=0/i);
    const session = cookieOf(done, "__Host-vitalis_site")!.pair;
    expect(await (await get(ARTICLE, { cookie: session })).text()).toContain(SECRET_SENTENCE);

    const events = await admin.query<{ action: string; details: { amr?: string[]; surface?: string } }>(
      `select action, details from audit_events where tenant_id = $1 and actor_id = $2
         and action in ('auth.login', 'auth.mfa_failed', 'auth.mfa_challenged') order by seq`,
      [site.id, user.id],
    );
    const onSite = events.rows.filter((row) => row.details.surface === "site");
    expect(onSite).toEqual([
      { action: "auth.login", details: expect.objectContaining({ amr: ["pwd", "otp", "mfa"], surface: "site" }) },
    ]);
    expect(events.rows.filter((row) => row.action === "auth.mfa_failed")).toHaveLength(1);
  });

  it("answers a known and an unknown address alike at registration, and confirms through the e-mail", async () => {
    const email = `new.${Math.random().toString(36).slice(2, 8)}@readers.test`;
    const register = async (address: string) => {
      const { csrf, cookie } = await formToken("/pt-br/cadastro");
      return post(
        "/pt-br/cadastro",
        {
          csrf,
          name: "Dra. Nova Leitora",
          email: address,
          password: "uma frase longa de senha",
          council: "CRM",
          councilNumber: "121212",
          councilUf: "BA",
          consent: "yes",
        },
        { cookie, origin, "sec-fetch-site": "same-origin" },
      );
    };
    const unknown = await register(email);
    const known = await register(verified.email);
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, "");
    expect(strip(await known.text())).toBe(strip(await unknown.text()));

    const mail = await waitForMail(email);
    const token = /\/pt-br\/cadastro\/confirmar#token=([A-Za-z0-9_%-]+)/.exec(mail.text ?? "")?.[1];
    expect(token).toBeTruthy();
    const { csrf, cookie } = await formToken("/pt-br/cadastro/confirmar");
    const confirmed = await post(
      "/pt-br/cadastro/confirmar",
      { csrf, token: decodeURIComponent(token!) },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(confirmed.status).toBe(200);
    const rows = await admin.query<{ status: string; council: string; role: string }>(
      `select c.status, c.council, m.role from users u
         join professional_credentials c on c.user_id = u.id and c.tenant_id = $1
         join memberships m on m.user_id = u.id and m.tenant_id = $1
        where u.email = $2`,
      [site.id, email],
    );
    expect(rows.rows).toEqual([{ status: "pending", council: "CRM", role: "reader_professional" }]);
    // The link works once.
    const again = await post(
      "/pt-br/cadastro/confirmar",
      { csrf, token: decodeURIComponent(token!) },
      { cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(again.status).toBe(410);

    // The known address's owner, reading their mail, is told to sign in; no second account is made.
    const knownMail = await waitForMail(verified.email, (message) => (message.subject ?? "").includes("Confirme"));
    const knownToken = /#token=([A-Za-z0-9_%-]+)/.exec(knownMail.text ?? "")?.[1];
    const form = await formToken("/pt-br/cadastro/confirmar");
    const existing = await post(
      "/pt-br/cadastro/confirmar",
      { csrf: form.csrf, token: decodeURIComponent(knownToken!) },
      { cookie: form.cookie, origin, "sec-fetch-site": "same-origin" },
    );
    expect(existing.status).toBe(200);
    expect(await existing.text()).toContain("Este endereço já tem uma conta");
    const accounts = await admin.query("select 1 from users where email = $1", [verified.email]);
    expect(accounts.rowCount).toBe(1);
  });
});
