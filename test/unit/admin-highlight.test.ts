import { describe, expect, it } from "vitest";
import { diffRows, diffSummary } from "../../admin/src/diff";
import { lineColumn, normaliseSpan, segmentText } from "../../admin/src/highlight";

describe("admin highlight: findings' UTF-16 offsets over the Markdown body", () => {
  it("marks a CPF found by the LGPD analyser", () => {
    const text = "Paciente com CPF 123.456.789-09 chegou ontem.";
    const start = text.indexOf("123");
    const segments = segmentText(text, [{ start, end: start + 14 }]);
    expect(segments.map((s) => [s.text, s.findings])).toEqual([
      ["Paciente com CPF ", []],
      ["123.456.789-09", [0]],
      [" chegou ontem.", []],
    ]);
    expect(segments.map((s) => s.text).join("")).toBe(text);
  });

  it("flattens overlapping findings into segments listing every covering finding", () => {
    const segments = segmentText("abcdefghij", [
      { start: 1, end: 6 },
      { start: 4, end: 8 },
    ]);
    expect(segments.map((s) => [s.text, s.findings])).toEqual([
      ["a", []],
      ["bcd", [0]],
      ["ef", [0, 1]],
      ["gh", [1]],
      ["ij", []],
    ]);
  });

  it("uses UTF-16 indices (emoji and accents before the finding) and never splits a surrogate pair", () => {
    const text = "💊 Dra. Ana: é 🩺 ok";
    const start = text.indexOf("Ana");
    expect(segmentText(text, [{ start, end: start + 3 }])[1]!.text).toBe("Ana");
    const stetho = text.indexOf("🩺");
    expect(normaliseSpan(text, { start: stetho + 1, end: stetho + 2 })).toEqual({ start: stetho, end: stetho + 2 });
  });

  it("clamps offsets beyond the text, drops empty, reversed or missing spans", () => {
    expect(normaliseSpan("abc", { start: 1, end: 99 })).toEqual({ start: 1, end: 3 });
    expect(normaliseSpan("abc", { start: 2, end: 2 })).toBeNull();
    expect(normaliseSpan("abc", { start: 2, end: 1 })).toBeNull();
    expect(normaliseSpan("abc", {})).toBeNull();
    expect(segmentText("abc", [{ start: 5, end: 9 }]).map((s) => s.text)).toEqual(["abc"]);
    expect(segmentText("", [])).toEqual([{ text: "", start: 0, end: 0, findings: [] }]);
  });

  it("gives line and column of an offset", () => {
    expect(lineColumn("ab\ncd\nef", 4)).toEqual({ line: 2, column: 2 });
  });
});

describe("admin diff rows", () => {
  it("numbers old and new lines and folds long unchanged runs", () => {
    const lines = [
      ...Array.from({ length: 8 }, (_, i) => ({ op: "equal" as const, text: `l${i + 1}` })),
      { op: "delete" as const, text: "old" },
      { op: "insert" as const, text: "new" },
      { op: "equal" as const, text: "tail" },
    ];
    const rows = diffRows(lines);
    expect(rows[0]).toEqual({ kind: "skip", count: 6 });
    expect(rows[1]).toMatchObject({ kind: "line", text: "l7", oldNo: 7, newNo: 7 });
    expect(rows[3]).toMatchObject({ op: "delete", oldNo: 9, newNo: null });
    expect(rows[4]).toMatchObject({ op: "insert", oldNo: null, newNo: 9 });
    expect(rows[5]).toMatchObject({ op: "equal", text: "tail", oldNo: 10, newNo: 10 });
    expect(diffSummary(lines)).toEqual({ added: 1, removed: 1 });
  });

  it("keeps short unchanged runs whole", () => {
    const rows = diffRows([
      { op: "insert", text: "a" },
      { op: "equal", text: "b" },
      { op: "delete", text: "c" },
    ]);
    expect(rows).toHaveLength(3);
  });
});
