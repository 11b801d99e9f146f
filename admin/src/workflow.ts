/**
 * The editorial transitions the UI offers, mirroring functions/services/workflow.ts (`TRANSITIONS`).
 * The server decides; this only chooses which buttons to show. test/unit/admin-workflow.test.ts checks
 * that this table equals the server's, so the two cannot drift apart silently.
 */
import type { Role, WorkflowState } from "./types";

export interface ActionRule {
  roles: readonly Role[];
  ownRoles?: readonly Role[];
  overrideRoles?: readonly Role[];
  requiresReason?: boolean;
  medicalApproval?: boolean;
  publishGate?: boolean;
}

const BACK_TO_DRAFT: ActionRule = { roles: ["editor", "admin"], requiresReason: true };
const PUBLISH: ActionRule = { roles: ["editor", "admin"], overrideRoles: ["medical_reviewer"], publishGate: true };

export const ACTIONS: Readonly<Partial<Record<WorkflowState, Partial<Record<WorkflowState, ActionRule>>>>> = {
  draft: { in_review: { roles: ["editor", "admin"], ownRoles: ["author"] } },
  in_review: {
    medical_review: { roles: ["editor", "admin"] },
    draft: { roles: ["editor", "admin"], ownRoles: ["author"], requiresReason: true },
  },
  medical_review: {
    approved: { roles: ["medical_reviewer"], medicalApproval: true },
    draft: { roles: ["medical_reviewer", "editor", "admin"], requiresReason: true },
  },
  approved: {
    scheduled: PUBLISH,
    published: PUBLISH,
    draft: { roles: ["medical_reviewer", "editor", "admin"], requiresReason: true },
  },
  scheduled: { published: PUBLISH, draft: BACK_TO_DRAFT },
  published: { archived: { roles: ["editor", "admin"] }, draft: BACK_TO_DRAFT },
  archived: { draft: BACK_TO_DRAFT },
};

export interface AvailableAction {
  to: WorkflowState;
  rule: ActionRule;
  /** The user qualifies only as an overriding medical reviewer (needs blocking findings + justification). */
  asOverride: boolean;
}

/** The steps this user may offer from `state`, given their roles and whether they wrote the item. */
export function availableActions(state: WorkflowState, roles: readonly string[], isAuthor: boolean): AvailableAction[] {
  const out: AvailableAction[] = [];
  for (const [to, rule] of Object.entries(ACTIONS[state] ?? {}) as Array<[WorkflowState, ActionRule]>) {
    const has = (list?: readonly Role[]) => !!list && roles.some((role) => list.includes(role as Role));
    if (has(rule.roles)) out.push({ to, rule, asOverride: false });
    else if (isAuthor && has(rule.ownRoles)) out.push({ to, rule, asOverride: false });
    else if (has(rule.overrideRoles)) out.push({ to, rule, asOverride: true });
  }
  return out;
}
