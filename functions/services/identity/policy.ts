import { eq } from "drizzle-orm";
import { tenants } from "../../../schema";
import { NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import type { SignInPolicy } from "../../shapes/account";

/** The tenant's sign-in policy: which roles must have a second factor to get a session. */
export async function getSignInPolicy(scope: Scope): Promise<SignInPolicy> {
  return scope.transaction(async (tx) => {
    const [row] = await tx
      .select({ mfaRequiredRoles: tenants.mfaRequiredRoles })
      .from(tenants)
      .where(eq(tenants.id, scope.tenant.id))
      .limit(1);
    if (!row) throw new NotFoundError("No site is published at this address.");
    return { mfaRequiredRoles: row.mfaRequiredRoles };
  });
}

/**
 * Changes the policy (admins only, at the route). Audited with the roles before and after. It applies from the
 * next sign-in or refresh: a session that started without a factor ends at its next refresh when its member
 * now needs one.
 */
export async function updateSignInPolicy(scope: Scope, input: SignInPolicy): Promise<SignInPolicy> {
  requireUser(scope);
  return scope.transaction(async (tx) => {
    const [before] = await tx
      .select({ mfaRequiredRoles: tenants.mfaRequiredRoles })
      .from(tenants)
      .where(eq(tenants.id, scope.tenant.id))
      .limit(1)
      .for("update");
    if (!before) throw new NotFoundError("No site is published at this address.");
    const [row] = await tx
      .update(tenants)
      .set({ mfaRequiredRoles: input.mfaRequiredRoles })
      .where(eq(tenants.id, scope.tenant.id))
      .returning({ mfaRequiredRoles: tenants.mfaRequiredRoles });
    await scope.audit(
      tx,
      "tenant.signin_policy_changed",
      { type: "tenant", id: scope.tenant.id },
      { from: before.mfaRequiredRoles, to: row!.mfaRequiredRoles },
    );
    return { mfaRequiredRoles: row!.mfaRequiredRoles };
  });
}
