import { z } from "zod";

/**
 * A line diff by longest common subsequence, for comparing two revisions of an article. Editors and
 * medical reviewers read it to see exactly what changed since the version they approved.
 */

export const lineDiffSchema = z.object({
  lines: z.array(z.object({ op: z.enum(["equal", "insert", "delete"]), text: z.string() })),
  added: z.number().int(),
  removed: z.number().int(),
  /** The diff as text: "  " unchanged, "+ " added, "- " removed, one line each. */
  text: z.string(),
});
export type LineDiff = z.infer<typeof lineDiffSchema>;
export type DiffLine = LineDiff["lines"][number];

/** Articles are short; beyond this many cells the table would cost too much memory for one request. */
const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string): LineDiff {
  const a = before === "" ? [] : before.split(/\r?\n/);
  const b = after === "" ? [] : after.split(/\r?\n/);

  // The common head and tail never take part in the LCS; trimming them keeps the table small for the
  // usual edit (a few lines changed in the middle).
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);

  const middle: DiffLine[] = [];
  const n = midA.length;
  const m = midB.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    // Too large to align: report the middle as replaced, which is still correct, only less precise.
    for (const text of midA) middle.push({ op: "delete", text });
    for (const text of midB) middle.push({ op: "insert", text });
  } else {
    // lcs[i][j] = length of the LCS of midA[i..] and midB[j..], in one flat array.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          midA[i] === midB[j]
            ? lcs[(i + 1) * width + j + 1]! + 1
            : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        middle.push({ op: "equal", text: midA[i]! });
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
        middle.push({ op: "delete", text: midA[i++]! });
      } else {
        middle.push({ op: "insert", text: midB[j++]! });
      }
    }
    while (i < n) middle.push({ op: "delete", text: midA[i++]! });
    while (j < m) middle.push({ op: "insert", text: midB[j++]! });
  }

  const lines: DiffLine[] = [
    ...a.slice(0, head).map((text): DiffLine => ({ op: "equal", text })),
    ...middle,
    ...a.slice(a.length - tail).map((text): DiffLine => ({ op: "equal", text })),
  ];
  const prefix = { equal: "  ", insert: "+ ", delete: "- " } as const;
  return {
    lines,
    added: lines.filter((line) => line.op === "insert").length,
    removed: lines.filter((line) => line.op === "delete").length,
    text: lines.map((line) => `${prefix[line.op]}${line.text}`).join("\n"),
  };
}
