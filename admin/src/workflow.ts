/**
 * The editorial transitions the UI offers: the server's own matrix (`TRANSITIONS` in functions/contract.ts,
 * bundled as it is). The server decides; this only chooses which buttons to show.
 */
import { type Role, TRANSITIONS, type TransitionRule, type WorkflowState } from "../../functions/contract";

export interface AvailableAction {
  to: WorkflowState;
  rule: TransitionRule;
  /** The user qualifies only as an overriding medical reviewer (needs blocking findings + justification). */
  asOverride: boolean;
}

/** The steps this user may offer from `state`, given their roles and whether they wrote the item. */
export function availableActions(state: WorkflowState, roles: readonly string[], isAuthor: boolean): AvailableAction[] {
  const out: AvailableAction[] = [];
  for (const [to, rule] of Object.entries(TRANSITIONS[state] ?? {}) as Array<[WorkflowState, TransitionRule]>) {
    const has = (list?: readonly Role[]) => !!list && roles.some((role) => list.includes(role as Role));
    if (has(rule.roles)) out.push({ to, rule, asOverride: false });
    else if (isAuthor && has(rule.ownRoles)) out.push({ to, rule, asOverride: false });
    else if (has(rule.overrideRoles)) out.push({ to, rule, asOverride: true });
  }
  return out;
}
