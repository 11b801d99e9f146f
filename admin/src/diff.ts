/**
 * Revision comparison rows. The API answers a line diff (`equal` / `insert` / `delete` per line); the
 * screen shows it with the old and new line numbers, and collapses long unchanged stretches.
 */
export interface DiffLine {
  op: "equal" | "insert" | "delete";
  text: string;
}

export type DiffRow =
  | { kind: "line"; op: DiffLine["op"]; text: string; oldNo: number | null; newNo: number | null }
  | { kind: "skip"; count: number };

/** Numbers each line and folds runs of unchanged lines longer than 2·context+1 into one "skip" row. */
export function diffRows(lines: readonly DiffLine[], context = 2): DiffRow[] {
  const numbered: Array<Extract<DiffRow, { kind: "line" }>> = [];
  let oldNo = 0;
  let newNo = 0;
  for (const line of lines) {
    if (line.op === "equal")
      numbered.push({ kind: "line", op: "equal", text: line.text, oldNo: ++oldNo, newNo: ++newNo });
    else if (line.op === "delete")
      numbered.push({ kind: "line", op: "delete", text: line.text, oldNo: ++oldNo, newNo: null });
    else numbered.push({ kind: "line", op: "insert", text: line.text, oldNo: null, newNo: ++newNo });
  }
  const rows: DiffRow[] = [];
  let i = 0;
  while (i < numbered.length) {
    if (numbered[i]!.op !== "equal") {
      rows.push(numbered[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < numbered.length && numbered[j]!.op === "equal") j++;
    const run = numbered.slice(i, j);
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === numbered.length ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      rows.push(...run.slice(0, keepHead));
      rows.push({ kind: "skip", count: run.length - keepHead - keepTail });
      rows.push(...run.slice(run.length - keepTail));
    } else {
      rows.push(...run);
    }
    i = j;
  }
  return rows;
}

/** A one-line summary such as "+3 −1". */
export function diffSummary(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.op === "insert") added++;
    if (line.op === "delete") removed++;
  }
  return { added, removed };
}
