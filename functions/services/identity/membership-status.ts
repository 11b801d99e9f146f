import { and, eq } from "drizzle-orm";
import { memberships } from "../../../schema";
import type { Transaction } from "../../lib/db";

/**
 * Whether the tenant has disabled this person's membership. A membership is one row per role; any disabled row
 * counts (fail closed), so a role added to a disabled member does not bring them back.
 */
export async function membershipDisabled(tx: Transaction, tenantId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), eq(memberships.status, "disabled")))
    .limit(1);
  return rows.length > 0;
}
