import { describe, expect, it } from "vitest";
import { CONTENT_LOCALES } from "../../functions/contract.js";
import { describeMailError, headerText } from "../../functions/lib/mailer.js";
import { retryDelaySeconds } from "../../functions/services/mail/delivery.js";
import type { MailMessage } from "../../functions/services/mail/messages.js";
import { mailLink, messageFromRow, renderMail } from "../../functions/services/mail/templates.js";

const token = "tok_3xAmPle-Secret_value";
const origin = "https://clinica.example";
const expiresAt = "2026-12-06T12:00:00.000Z";

const messages: MailMessage[] = [
  {
    template: "invitation",
    data: {
      tenantName: "Clínica Aurora",
      roles: ["author", "medical_reviewer"],
      inviterName: "Dra. Ana",
      origin,
      expiresAt,
    },
    secret: token,
  },
  { template: "password-reset", data: { tenantName: "Clínica Aurora", origin, expiresAt }, secret: token },
  { template: "password-changed", data: { tenantName: "Clínica Aurora", origin, changedAt: expiresAt } },
  {
    template: "credential-reviewed",
    data: { tenantName: "Clínica Aurora", origin, status: "rejected", note: "CRM não encontrado no conselho" },
  },
  {
    template: "reference-retracted",
    data: {
      tenantName: "Clínica Aurora",
      origin,
      articleTitle: "Vacinas e autismo: o que a ciência diz",
      reference: "10.1016/S0140-6736(97)11096-0",
      paperTitle: "RETRACTED: Ileal-lymphoid-nodular hyperplasia",
    },
  },
  {
    template: "workflow-notice",
    data: {
      tenantName: "Clínica Aurora",
      origin,
      kind: "sent_back",
      contentType: "post",
      contentId: "0b6f3c1e-3f5a-4c2b-9d7e-1a2b3c4d5e6f",
      title: "Hipertensão <b>na gestação</b>",
      reason: "Faltam referências",
      findings: [],
    },
  },
  {
    template: "workflow-digest",
    data: {
      tenantName: "Clínica Aurora",
      origin,
      notices: [
        {
          kind: "override_published",
          contentType: "page",
          contentId: "0b6f3c1e-3f5a-4c2b-9d7e-1a2b3c4d5e6f",
          title: null,
          reason: null,
          findings: ["pii.cpf"],
        },
      ],
    },
  },
  {
    template: "professional-confirmation",
    data: { tenantName: "Clínica Aurora", origin, expiresAt, siteLocale: "es" },
    secret: token,
  },
];

describe("mail templates", () => {
  it("render every message in pt-BR, en and es, as plain text and HTML, each with its link", () => {
    for (const message of messages) {
      const subjects = new Set<string>();
      for (const locale of CONTENT_LOCALES) {
        const mail = renderMail(message, locale);
        subjects.add(mail.subject);
        expect(mail.subject).toContain("Clínica Aurora");
        expect(mail.text).toContain(mailLink(message));
        expect(mail.html).toContain(`lang="${locale}"`);
        expect(mail.html).toContain(mailLink(message));
      }
      // Three languages, three different subjects: none falls back to another's text.
      expect(subjects.size).toBe(3);
    }
  });

  it("put the one-time token only in the link's fragment, never in the subject", () => {
    for (const message of messages.filter((m) => "secret" in m)) {
      const link = new URL(mailLink(message));
      expect(link.origin).toBe(origin);
      // The admin's pages, or the site's registration confirmation in the registration's language.
      expect(link.pathname).toMatch(/^\/admin\/|^\/es\/registro\/confirmar$/);
      expect(link.search).toBe("");
      expect(link.hash).toBe(`#token=${token}`);
      for (const locale of CONTENT_LOCALES) expect(renderMail(message, locale).subject).not.toContain(token);
    }
  });

  it("keep the recipient's details and the review's outcome out of subjects", () => {
    for (const locale of CONTENT_LOCALES) {
      expect(renderMail(messages[0]!, locale).subject).not.toContain("Ana");
      const review = renderMail(messages[3]!, locale);
      expect(review.subject).not.toMatch(/CRM|rejeit|reject|rechaz|não|not|no /i);
      expect(review.text).toContain("CRM não encontrado no conselho");
    }
  });

  it("name a workflow notice's item and reason in the body only, linking to its editor", () => {
    const notice = messages[5]!;
    expect(mailLink(notice)).toBe(`${origin}/admin/posts/0b6f3c1e-3f5a-4c2b-9d7e-1a2b3c4d5e6f`);
    for (const locale of CONTENT_LOCALES) {
      const mail = renderMail(notice, locale);
      expect(mail.subject).not.toMatch(/Hipertensão|Faltam/);
      expect(mail.text).toContain("“Hipertensão <b>na gestação</b>”");
      expect(mail.html).toContain("&lt;b&gt;na gestação&lt;/b&gt;");
      const digest = renderMail(messages[6]!, locale);
      expect(digest.text).toContain(`${origin}/admin/pages/0b6f3c1e-3f5a-4c2b-9d7e-1a2b3c4d5e6f`);
      expect(digest.text).toContain("pii.cpf");
    }
  });

  it("name the article and the retracted paper in the body of a retraction notice, neither in its subject", () => {
    for (const locale of CONTENT_LOCALES) {
      const notice = renderMail(messages[4]!, locale);
      expect(notice.subject).not.toMatch(/Vacinas|10\.1016|Ileal/);
      expect(notice.text).toContain("Vacinas e autismo: o que a ciência diz");
      expect(notice.text).toContain("10.1016/S0140-6736(97)11096-0");
      expect(notice.text).toContain("Ileal-lymphoid-nodular hyperplasia");
    }
  });

  it("escape every value in the HTML", () => {
    const hostile: MailMessage = {
      template: "credential-reviewed",
      data: {
        tenantName: `<img src=x onerror="alert(1)">`,
        origin,
        status: "verified",
        note: `</p><script>alert("x")</script>&`,
      },
    };
    const { html, text } = renderMail(hostile, "en");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;");
    // Plain text is not HTML: it carries the note as written.
    expect(text).toContain(`</p><script>alert("x")</script>&`);
  });

  it("turn a queued row back into its message only when it matches its template", () => {
    const row = { template: "invitation", data: messages[0]!.data, secret: token };
    expect(messageFromRow(row)).toEqual(messages[0]);
    expect(messageFromRow({ ...row, secret: null })).toBeNull();
    expect(messageFromRow({ ...row, template: "newsletter" })).toBeNull();
    expect(messageFromRow({ ...row, data: { ...messages[0]!.data, origin: "javascript:alert(1)" } })).toBeNull();
    expect(messageFromRow({ ...row, data: { ...messages[0]!.data, origin: "https://a.example/path" } })).toBeNull();
    expect(messageFromRow({ template: "password-changed", data: messages[2]!.data, secret: token })).toBeNull();
  });
});

describe("mail transport helpers", () => {
  it("keep header text on one line", () => {
    expect(headerText("Convite\r\nBcc: victim@example.com")).toBe("Convite Bcc: victim@example.com");
  });

  it("describe SMTP failures without the addresses in them", () => {
    const described = describeMailError(new Error("Invalid RCPT TO: <ana.souza@example.com> 550 no such user\r\nmore"));
    expect(described).not.toContain("ana.souza@example.com");
    expect(described).toContain("550");
    expect(described).not.toContain("more");
  });
});

describe("retry delays", () => {
  it("double per attempt from a minute, capped at an hour, with half of each delay random", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 1))).toEqual([60, 120, 240, 480]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 0))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(20, () => 1)).toBe(3600);
    expect(retryDelaySeconds(20, () => 0)).toBe(1800);
  });
});
