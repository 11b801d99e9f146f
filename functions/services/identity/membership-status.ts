import { and, eq } from "drizzle-orm";
import { memberships } from "../../../schema";
import type { Transaction } from "../../lib/db";

/**
 * Whether the person holds an active membership in the tenant: at least one role row, and none suspended. A
 * membership is one row per role; any disabled row counts (fail closed), so a role added to a suspended member
 * does not bring them back. A former member the tenant still sees (an author whose content stays attributed to
 * them) holds none.
 */
export async function membershipActive(tx: Transaction, tenantId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  return rows.length > 0 && rows.every((row) => row.status === "active");
}
