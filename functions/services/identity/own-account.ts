import { eq } from "drizzle-orm";
import { users } from "../../../schema";
import type { Transaction } from "../../lib/db";

/**
 * Writes an account's own row: password, second factor, token not-before. The policies let only the owner's own
 * transaction do that (schema/users.ts: the scope's signed-in user, or `actAsUser` once a sign-in step has proved
 * who they are). A write that changes no row was refused by them: it throws, so the transaction rolls back rather
 * than answering success, and auditing, a change that did not happen.
 */
export async function updateOwnAccount(
  tx: Transaction,
  userId: string,
  values: Partial<Omit<typeof users.$inferInsert, "id" | "email" | "status">>,
): Promise<void> {
  const written = await tx
    .update(users)
    .set({ updatedAt: new Date(), ...values })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  if (written.length !== 1) throw new Error("The account row was not written: its policies refused the change.");
}
