import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import { ForbiddenError, UnauthorizedError } from "../../lib/errors";
import type { ContentType } from "../../contract";
import { protectAgain } from "../../middleware/protect";
import { contentComplianceLevel } from "../../services/content/crud";

// The requirement for reading personal health data: the trust policy at `phi` (MFA within its max_age).
const PHI_READ = { sensitivity: "phi", action: "read" } as const;

/**
 * Evaluates trust at `phi` for this request from the signals its `protect()` gathered (no second Redis
 * script); throws what the policy answers (401 step-up, 403) when it refuses. An allowed read is counted
 * towards today's PHI reads with one INCR.
 */
export async function requirePhiTrust(c: Context<AppBindings>): Promise<void> {
  await protectAgain(c, PHI_READ);
}

/** Whether this session qualifies for PHI: a refusal by the policy is `false`, anything else still throws. */
export async function mayReadPhi(c: Context<AppBindings>): Promise<boolean> {
  if (c.get("scope").actor.kind !== "user") return false;
  try {
    await requirePhiTrust(c);
    return true;
  } catch (error) {
    const refused =
      (error instanceof UnauthorizedError && error.code === "step_up_required") ||
      (error instanceof ForbiddenError && (error.code.startsWith("trust_") || error.code === "token_phi_refused"));
    if (!refused) throw error;
    return false;
  }
}

/** For a route that returns one item's body: when the item is `phi`, the session must qualify for PHI. */
export async function requirePhiTrustFor(c: Context<AppBindings>, type: ContentType, id: string): Promise<void> {
  if ((await contentComplianceLevel(c.get("scope"), type, id)) === "phi") await requirePhiTrust(c);
}
