import { and, desc, eq, isNull } from "drizzle-orm";
import { contentAnalyses, contentItems, users } from "../../../schema";
import type { ResolvedReference } from "../../plugin-host";
import type { Scope } from "../../scope";
import { enqueueEmail } from "../outbox";
import { primaryOrigin } from "../tenant-facts";
import { referenceKind, referenceSettings, resolveIdentifiers } from "./index";

const REFS_STAGE = "scientific-refs";
/** resolveIdentifiers looks up at most 50 identifiers a call. */
const CHUNK = 50;

interface CitingItem {
  id: string;
  type: (typeof contentItems.$inferSelect)["type"];
  title: string;
  locale: (typeof contentItems.$inferSelect)["locale"];
  reviewedBy: string | null;
  /** The identifiers the item cites that were not known to be retracted when its revision was analysed. */
  ids: string[];
}

/** The cited identifiers of a stored scientific-refs output, minus those already retracted at analysis time. */
function citedNotRetracted(output: Record<string, unknown>): string[] {
  const refs = Array.isArray(output.references) ? (output.references as unknown[]) : [];
  const ids = new Set<string>();
  for (const ref of refs) {
    if (!ref || typeof ref !== "object") continue;
    const r = ref as { type?: unknown; id?: unknown; resolution?: Partial<ResolvedReference> };
    if (r.type === "reference" || typeof r.id !== "string" || referenceKind(r.id) === null) continue;
    // Retracted already when analysed: it was published past that blocking finding by an audited override.
    if (r.resolution?.retracted === true) continue;
    ids.add(r.id);
  }
  return [...ids];
}

async function publishedCitations(scope: Scope): Promise<CitingItem[]> {
  return scope.transaction(async (tx) => {
    const rows = await tx
      .selectDistinctOn([contentAnalyses.revisionId], {
        id: contentItems.id,
        type: contentItems.type,
        title: contentItems.title,
        locale: contentItems.locale,
        reviewedBy: contentItems.reviewedBy,
        output: contentAnalyses.output,
      })
      .from(contentItems)
      .innerJoin(
        contentAnalyses,
        and(eq(contentAnalyses.revisionId, contentItems.currentRevisionId), eq(contentAnalyses.stage, REFS_STAGE)),
      )
      .where(and(eq(contentItems.state, "published"), isNull(contentItems.trashedAt)))
      .orderBy(contentAnalyses.revisionId, desc(contentAnalyses.createdAt));
    return rows
      .map(({ output, ...item }) => ({ ...item, ids: citedNotRetracted(output) }))
      .filter((item) => item.ids.length > 0);
  });
}

/**
 * One tenant's re-check: asks the registries again (past the cache, which it refreshes) about every identifier its
 * published items cite, and for each paper retracted since the item's analysis queues one e-mail to the item's
 * medical reviewer (once per item and identifier: the outbox's dedupe key) and audits it. Returns the notices queued.
 */
export async function recheckTenantReferences(scope: Scope): Promise<number> {
  const items = await publishedCitations(scope);
  if (items.length === 0) return 0;
  const all = [...new Set(items.flatMap((item) => item.ids))];
  const resolved: Record<string, ResolvedReference> = {};
  const deps = { redis: scope.redis, logger: scope.logger, settings: referenceSettings(scope) };
  for (let start = 0; start < all.length; start += CHUNK)
    Object.assign(resolved, await resolveIdentifiers(deps, all.slice(start, start + CHUNK), { fresh: true }));

  const origin = await scope.transaction((tx) => primaryOrigin(tx, scope.tenant.id));
  let queued = 0;
  for (const item of items) {
    const retracted = item.ids.filter((id) => resolved[id]?.retracted === true && resolved[id]?.verified !== false);
    if (retracted.length === 0) continue;
    if (!item.reviewedBy || !origin) {
      scope.logger.warn("retracted reference with nobody to notify", { contentId: item.id });
      continue;
    }
    const reviewerId = item.reviewedBy;
    queued += await scope.transaction(async (tx) => {
      const [reviewer] = await tx.select({ email: users.email }).from(users).where(eq(users.id, reviewerId));
      if (!reviewer) return 0;
      let sent = 0;
      for (const id of retracted) {
        const outboxId = await enqueueEmail(scope, tx, {
          to: reviewer.email,
          locale: item.locale,
          dedupeKey: `reference-retracted:${item.id}:${id.toLowerCase()}`,
          message: {
            template: "reference-retracted",
            data: {
              tenantName: scope.tenant.name,
              origin,
              articleTitle: item.title.slice(0, 500),
              reference: id,
              paperTitle: resolved[id]?.title ?? null,
            },
          },
        });
        if (outboxId === null) continue; // noticed on an earlier day
        await scope.audit(
          tx,
          "content.reference_retracted",
          { type: item.type, id: item.id },
          { reference: id, source: resolved[id]?.source ?? null, notified: reviewerId, outboxId },
        );
        sent += 1;
      }
      return sent;
    });
  }
  return queued;
}
