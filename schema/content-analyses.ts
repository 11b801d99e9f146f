import { sql } from "drizzle-orm";
import { boolean, index, jsonb, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { contentRevisions } from "./content-revisions";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * Results of the analysis pipeline (functions/plugin-host/pipeline.ts), one row per stage run on a
 * revision. The publish gate reads the latest row of each stage for the item's current revision.
 */
export const contentAnalyses = pgTable(
  "content_analyses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    revisionId: uuid("revision_id")
      .notNull()
      .references(() => contentRevisions.id),
    /** The stage or plugin name, e.g. `lgpd-analyzer`. */
    stage: text("stage").notNull(),
    output: jsonb("output").$type<Record<string, unknown>>().notNull().default({}),
    blocking: boolean("blocking").notNull().default(false),
    createdAt: createdAt({ precision: 3 }),
  },
  (table) => [
    index("content_analyses_revision_idx").on(table.revisionId, table.stage, table.createdAt.desc()),
    pgPolicy("content_analyses_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ContentAnalysis = typeof contentAnalyses.$inferSelect;
