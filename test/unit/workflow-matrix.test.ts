import { describe, expect, it } from "vitest";
import { workflowStates } from "../../schema/content-items.js";
import { TRANSITIONS } from "../../functions/contract.js";
import { qualification, transitionRule } from "../../functions/services/workflow.js";

const AUTHOR = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000002";

describe("the workflow permission matrix", () => {
  it("has only known states and a way back to draft from every later state, always with a reason", () => {
    for (const [from, targets] of Object.entries(TRANSITIONS)) {
      expect(workflowStates).toContain(from);
      for (const to of Object.keys(targets ?? {})) expect(workflowStates).toContain(to);
      if (from !== "draft") expect(transitionRule(from as never, "draft")?.requiresReason).toBe(true);
    }
  });

  it("lets an author submit only their own draft", () => {
    const rule = transitionRule("draft", "in_review")!;
    expect(qualification(rule, { userId: AUTHOR, roles: ["author"] }, AUTHOR)).toBe("own");
    expect(qualification(rule, { userId: OTHER, roles: ["author"] }, AUTHOR)).toBeNull();
    expect(qualification(rule, { userId: OTHER, roles: ["editor"] }, AUTHOR)).toBe("role");
  });

  it("gives medical approval to medical reviewers only, with four eyes", () => {
    const rule = transitionRule("medical_review", "approved")!;
    expect(rule.medicalApproval).toBe(true);
    expect(qualification(rule, { userId: OTHER, roles: ["editor"] }, AUTHOR)).toBeNull();
    expect(qualification(rule, { userId: OTHER, roles: ["admin"] }, AUTHOR)).toBeNull();
    expect(qualification(rule, { userId: OTHER, roles: ["medical_reviewer"] }, AUTHOR)).toBe("role");
  });

  it("lets editors and admins publish, and medical reviewers only as an override", () => {
    for (const to of ["published", "scheduled"] as const) {
      const rule = transitionRule("approved", to)!;
      expect(rule.publishGate).toBe(true);
      expect(qualification(rule, { userId: OTHER, roles: ["editor"] }, AUTHOR)).toBe("role");
      expect(qualification(rule, { userId: OTHER, roles: ["medical_reviewer"] }, AUTHOR)).toBe("override");
      expect(qualification(rule, { userId: AUTHOR, roles: ["author"] }, AUTHOR)).toBeNull();
    }
  });

  it("has no shortcuts: a draft cannot jump to approved or published", () => {
    expect(transitionRule("draft", "approved")).toBeUndefined();
    expect(transitionRule("draft", "published")).toBeUndefined();
    expect(transitionRule("in_review", "approved")).toBeUndefined();
    expect(transitionRule("archived", "published")).toBeUndefined();
  });
});
