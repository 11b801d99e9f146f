/** Reading PostgreSQL's `explain (format json)` plans in tests. */

/** A node of a JSON plan, with the fields tests read (`explain (analyze)` adds the actual ones). */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Parent Relationship"?: string;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

/** Every node of an `explain (format json)` plan, parents before their children. */
export function planNodes(plan: unknown): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    out.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  for (const entry of plan as Array<{ Plan: PlanNode }>) walk(entry.Plan);
  return out;
}

/**
 * The tables a plan reads inside a subplan of an expression (`SubPlan`: run again for each row that evaluates it,
 * as a correlated subquery in a select list is), each once.
 */
export function relationsInSubPlans(plan: unknown): string[] {
  const found = new Set<string>();
  for (const node of planNodes(plan)) {
    if (node["Parent Relationship"] !== "SubPlan") continue;
    for (const inner of planNodes([{ Plan: node }])) if (inner["Relation Name"]) found.add(inner["Relation Name"]);
  }
  return [...found];
}
