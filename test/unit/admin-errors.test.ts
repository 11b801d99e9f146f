import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normaliseAnalysis, locatedFindings, seoScore } from "../../admin/src/analysis";
import { fieldErrors, knownCode, problemMessage } from "../../admin/src/errors";
import { detectLanguage } from "../../admin/src/i18n";
import { availableActions } from "../../admin/src/workflow";
import { PUBLIC_REFUSALS } from "../../functions/services/media-rules";

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

describe("admin error messages", () => {
  it("says every problem code the API raises to the SPA's users, in the three languages", async () => {
    const codes = new Set<string>(PUBLIC_REFUSALS);
    // The platform API answers operators' tooling (the CLI, Terraform), never the SPA.
    const operatorsOnly = [join("functions", "routes", "platform"), join("functions", "services", "platform")];
    const files = (await sourceFiles("functions")).filter((file) => !operatorsOnly.some((dir) => file.startsWith(dir)));
    for (const file of files) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(/(?:Error)\(\s*"([a-z_]+)"/g)) codes.add(match[1]!);
      for (const match of text.matchAll(/readonly code = "([a-z_]+)"/g)) codes.add(match[1]!);
      for (const match of text.matchAll(/readonly code: ((?:\s*\|?\s*"[a-z_]+")+)/g)) {
        for (const literal of match[1]!.matchAll(/"([a-z_]+)"/g)) codes.add(literal[1]!);
      }
    }
    expect(codes.size).toBeGreaterThan(100);
    const missing = [...codes].filter((code) => !knownCode(code));
    expect(missing).toEqual([]);
  });

  it("answers in Portuguese, English and Spanish, falling back by status", () => {
    const blocked = { code: "publish_blocked", status: 409 };
    expect(problemMessage(blocked, "pt-BR")).toMatch(/bloqueada/);
    expect(problemMessage(blocked, "en")).toMatch(/blocked/);
    expect(problemMessage(blocked, "es")).toMatch(/La publicación está bloqueada/);
    expect(problemMessage({ code: "cpf_invalid", status: 422 }, "es")).toMatch(/CPF no es válido/);
    expect(problemMessage({ code: "something_new", status: 429 }, "es")).toMatch(/Espera un minuto/);
    expect(problemMessage({ code: "something_new", status: 429 }, "en")).toMatch(/Wait a minute/);
    expect(problemMessage({ code: "http_418", status: 418 }, "pt-BR")).toMatch(/Algo deu errado/);
  });

  it("asks an invitee whose address has an account for its password only: the invitation page ticks the box itself", () => {
    const asked = { "pt-BR": /senha atual/, en: /current password/, es: /contraseña actual/ } as const;
    for (const lang of ["pt-BR", "en", "es"] as const) {
      const text = problemMessage({ code: "sign_in_required", status: 409 }, lang);
      expect(text).not.toMatch(/tick|marque|marca|“|«/i);
      expect(text).toMatch(asked[lang]);
    }
  });

  it("picks the UI language from the browser's list, Spanish included", () => {
    expect(detectLanguage(["es-AR", "en"])).toBe("es");
    expect(detectLanguage(["fr", "en-GB"])).toBe("en");
    expect(detectLanguage(["fr"])).toBe("pt-BR");
  });

  it("lists field errors without the request prefix", () => {
    expect(
      fieldErrors({ status: 422, code: "validation_failed", errors: [{ path: "json.reason", message: "required" }] }),
    ).toEqual([{ field: "reason", message: "required" }]);
  });
});

describe("admin workflow actions", () => {
  it("offer each role its steps", () => {
    expect(availableActions("draft", ["author"], true).map((a) => a.to)).toEqual(["in_review"]);
    expect(availableActions("draft", ["author"], false)).toEqual([]);
    expect(availableActions("medical_review", ["medical_reviewer"], false).map((a) => a.to)).toEqual([
      "approved",
      "draft",
    ]);
    const reviewerOnApproved = availableActions("approved", ["medical_reviewer"], false);
    expect(reviewerOnApproved.filter((a) => a.asOverride).map((a) => a.to)).toEqual(["scheduled", "published"]);
  });
});

describe("admin analysis normaliser", () => {
  it("reads pipeline stages and stored rows, dropping malformed findings", () => {
    const view = normaliseAnalysis({
      stages: [
        {
          plugin: "lgpd-analyzer",
          version: "1.0.0",
          ok: true,
          output: {
            plugin: "lgpd-analyzer",
            version: "1.0.0",
            findings: [{ code: "lgpd.cpf", severity: "blocking", message: "CPF", start: 4, end: 18 }, { nope: 1 }],
          },
        },
        {
          stage: "seo-optimizer",
          blocking: false,
          output: { plugin: "seo-optimizer", version: "1", score: 72, findings: [] },
        },
      ],
    });
    expect(view.reports).toHaveLength(2);
    expect(view.blocking).toBe(true);
    expect(seoScore(view)).toBe(72);
    expect(locatedFindings(view)).toEqual([
      { code: "lgpd.cpf", severity: "blocking", message: "CPF", start: 4, end: 18, plugin: "lgpd-analyzer" },
    ]);
    expect(normaliseAnalysis(null).reports).toEqual([]);
  });
});
