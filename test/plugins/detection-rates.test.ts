// Measured recall and false-positive rates of the analyzers on generated corpora (test/plugins/variants.ts):
// phone numbers and e-mail addresses in pt-BR, en and es against identifiers that are not (dates, prices,
// CPF, ISBN, order numbers, impossible area codes, social handles). The figures are printed on every run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimCases, emailItems, type Item, negativeItems, phoneItems } from "./variants";
import { type Finding, PluginRunner } from "./support";

let lgpd: PluginRunner;
let claims: PluginRunner;

beforeAll(async () => {
  lgpd = await PluginRunner.load("lgpd-analyzer");
  claims = await PluginRunner.load("medical-claims");
}, 120_000);
afterAll(async () => {
  await lgpd?.close();
  await claims?.close();
});

interface Judged {
  item: Item;
  /** A finding of the expected code covers exactly the item (positives) / a finding of another code touches it (negatives). */
  hit: boolean;
  masked: boolean;
  findings: Array<Finding & { text: string }>;
}

/** Runs items through a plugin, many per call (one per line), and judges each against the findings over it. */
async function judge(runner: PluginRunner, items: Item[], batch = 40): Promise<Judged[]> {
  const out: Judged[] = [];
  for (let b = 0; b < items.length; b += batch) {
    const chunk = items.slice(b, b + batch);
    for (const locale of ["pt-BR", "en", "es"] as const) {
      const mine = chunk.filter((item) => item.locale === locale);
      if (mine.length === 0) continue;
      let text = "";
      const offsets: number[] = [];
      for (const item of mine) {
        offsets.push(text.length);
        text += `${item.text}\n`;
      }
      const result = await runner.analyze({ text, locale });
      const redacted = String(result.redacted ?? "");
      mine.forEach((item, k) => {
        const start = offsets[k]! + item.start;
        const end = offsets[k]! + item.end;
        const over = result.findings
          .filter((f) => f.start !== undefined && f.end! > start && f.start < end)
          .map((f) => ({ ...f, text: text.slice(f.start, f.end) }));
        const hit =
          item.code === null
            ? over.some((f) => f.code !== item.allow)
            : over.some((f) => f.code === item.code && f.start === start && f.end === end);
        const masked = !/[\p{L}\p{N}]/u.test(redacted.slice(start, end));
        out.push({ item, hit, masked, findings: over });
      });
    }
  }
  return out;
}

function rate(judged: Judged[]): number {
  return judged.filter((j) => j.hit).length / Math.max(1, judged.length);
}

function misses(judged: Judged[], positive: boolean, max = 8): string {
  return judged
    .filter((j) => j.hit !== positive)
    .slice(0, max)
    .map((j) => `${JSON.stringify(j.item.text.slice(j.item.start, j.item.end))} → ${j.findings.map((f) => `${f.code} ${JSON.stringify(f.text)}`).join(", ") || "none"}`)
    .join("\n");
}

describe("lgpd-analyzer detection rates", () => {
  it("finds ≥ 98% of phone numbers and e-mail addresses, masks every one it finds, and flags ≤ 2% of other identifiers", async () => {
    const phones = await judge(lgpd, phoneItems(16, 1500));
    const emails = await judge(lgpd, emailItems(6531, 600));
    const negatives = await judge(lgpd, negativeItems(2336, 1200));
    const byKind = new Map<string, Judged[]>();
    for (const j of negatives) byKind.set(j.item.kind, [...(byKind.get(j.item.kind) ?? []), j]);
    console.log(
      [
        `lgpd-analyzer: phone recall ${rate(phones).toFixed(4)} (${phones.length} variants), e-mail recall ${rate(emails).toFixed(4)} (${emails.length})`,
        `  false positives on other identifiers ${rate(negatives).toFixed(4)} (${negatives.length}): ` +
          [...byKind].map(([kind, js]) => `${kind} ${rate(js).toFixed(3)}`).join(", "),
      ].join("\n"),
    );
    expect(rate(phones), misses(phones, true)).toBeGreaterThanOrEqual(0.98);
    expect(rate(emails), misses(emails, true)).toBeGreaterThanOrEqual(0.98);
    expect(rate(negatives), misses(negatives, false)).toBeLessThanOrEqual(0.02);
    // Whatever is found leaves no letter or digit of it in `redacted`.
    const unmasked = [...phones, ...emails].filter((j) => j.hit && !j.masked);
    expect(unmasked.map((j) => j.item.text)).toEqual([]);
  }, 120_000);
});

describe("medical-claims detection rates", () => {
  it("judges ≥ 95% of absolute-safety, quick weight-loss and specialty sentences right, claims and lawful uses alike", async () => {
    const cases = claimCases(2336, 900);
    const wrong: string[] = [];
    const byKind = new Map<string, { right: number; total: number; positives: number; found: number }>();
    for (const c of cases) {
      const out = await claims.analyze({ text: c.text, locale: c.locale, ...(c.context ? { context: c.context } : {}) });
      const codes = out.findings.map((f) => f.code).filter((code) => c.codes.includes(code));
      const right = c.code === null ? codes.length === 0 : codes.includes(c.code);
      const k = byKind.get(c.kind) ?? { right: 0, total: 0, positives: 0, found: 0 };
      k.total++;
      if (right) k.right++;
      if (c.code !== null) {
        k.positives++;
        if (right) k.found++;
      }
      byKind.set(c.kind, k);
      if (!right) wrong.push(`${c.code ?? "none"} expected: ${JSON.stringify(c.text)} ${JSON.stringify(c.context ?? {})} → ${codes.join(",") || "none"}`);
    }
    const accuracy = (cases.length - wrong.length) / cases.length;
    console.log(
      `medical-claims: accuracy ${accuracy.toFixed(4)} (${cases.length} sentences, pt-BR/en/es); ` +
        [...byKind]
          .map(([kind, k]) => `${kind} accuracy ${(k.right / k.total).toFixed(3)}, recall ${(k.found / Math.max(1, k.positives)).toFixed(3)} (${k.total})`)
          .join("; "),
    );
    expect(accuracy, wrong.slice(0, 15).join("\n")).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
