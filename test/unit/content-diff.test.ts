import { describe, expect, it } from "vitest";
import { diffLines } from "../../functions/services/content/diff.js";

describe("the revision line diff", () => {
  it("reports nothing for equal texts", () => {
    const diff = diffLines("a\nb", "a\nb");
    expect(diff.added + diff.removed).toBe(0);
    expect(diff.text).toBe("  a\n  b");
  });

  it("finds inserted, deleted and changed lines by longest common subsequence", () => {
    const diff = diffLines("título\nlinha 1\nlinha 2\nfim", "título\nlinha 1\nlinha nova\nlinha 2\nfim alterado");
    expect(diff.lines).toEqual([
      { op: "equal", text: "título" },
      { op: "equal", text: "linha 1" },
      { op: "insert", text: "linha nova" },
      { op: "equal", text: "linha 2" },
      { op: "delete", text: "fim" },
      { op: "insert", text: "fim alterado" },
    ]);
    expect(diff.added).toBe(2);
    expect(diff.removed).toBe(1);
  });

  it("handles empty sides", () => {
    expect(diffLines("", "a\nb").lines).toEqual([
      { op: "insert", text: "a" },
      { op: "insert", text: "b" },
    ]);
    expect(diffLines("a", "").removed).toBe(1);
  });

  it("keeps the LCS minimal on reordering", () => {
    const diff = diffLines("a\nb\nc\nd", "b\nc\nd\na");
    expect(diff.removed).toBe(1);
    expect(diff.added).toBe(1);
  });
});
