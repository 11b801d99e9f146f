import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { contentAnalyses, type ContentItem, contentItems, professionalCredentials } from "../../schema";
import type { Scope } from "../scope";
import { ConflictError, NotFoundError } from "../lib/errors";
import { runAnalysisPipeline, runPlugin, type PluginOutput } from "../plugin-host";
import { referenceResolver } from "./references";
import { pluginRegistry } from "../plugin-host/registry";
import { adminVisibility, mayEdit, resolveViewer, STAFF_ROLES, viewerHas } from "./content/access";
import { loadVisibleItem } from "./content/kernel";
import { maskLibraryImages } from "./content/markdown";
import { contentTypes } from "../content-types";
import {
  ANALYSED_STATES,
  ANALYSIS_STATUSES,
  type AnalysisStage,
  type ContentLocale,
  type ContentType,
  TITLE_EXCERPT_STAGE,
} from "../contract";

/** One stage's stored run: the plugin's output as it returned it, and whether it blocks publication. */
export const stageViewSchema = z.object({
  stage: z.string(),
  pluginVersion: z.string(),
  ok: z.boolean(),
  blocking: z.boolean(),
  output: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type StageView = z.infer<typeof stageViewSchema>;

/**
 * The analysis of an item's current revision: the latest run of each stage. `status` says whether one is
 * stored (`analysed`), runs by itself and is not stored yet (`pending`: in review, just entered or saved), or
 * neither (`missing`: run it with POST).
 */
export const analysisViewSchema = z.object({
  revisionId: z.string(),
  status: z.enum(ANALYSIS_STATUSES),
  blocking: z.boolean(),
  stages: z.array(stageViewSchema),
});
export type AnalysisView = z.infer<typeof analysisViewSchema>;

/** The stage whose plugin finds personal data; it also reads the title and summary on their own. */
const PERSONAL_DATA_STAGE: AnalysisStage = "lgpd-analyzer";

const METADATA_PREFIX: Record<string, string> = {
  "pt-BR": "No título ou resumo: ",
  en: "In the title or summary: ",
  es: "En el título o resumen: ",
};

/**
 * The pipeline reads the body; the title and the excerpt are published as well (page, feeds, search
 * results), and so are the meta title and description (the page's `<title>` and description), so personal
 * data there must block too. lgpd-analyzer reads them on their own; its findings lose their offsets (they
 * point into the title/summary, not the body the editor highlights).
 */
async function scanTitleAndExcerpt(item: {
  title: string;
  excerpt: string;
  metaTitle: string | null;
  metaDescription: string | null;
  locale: ContentLocale;
}): Promise<PluginOutput | null> {
  const entry = pluginRegistry().find((plugin) => plugin.name === PERSONAL_DATA_STAGE);
  if (!entry) return null;
  const published = [item.title, item.excerpt, item.metaTitle, item.metaDescription].filter((text) => text);
  const result = await runPlugin(entry, {
    text: published.join("\n\n"),
    locale: item.locale,
  });
  const prefix = METADATA_PREFIX[item.locale] ?? METADATA_PREFIX.en!;
  return {
    ...result.output,
    plugin: TITLE_EXCERPT_STAGE,
    findings: result.output.findings.map(({ start: _start, end: _end, ...finding }) => ({
      ...finding,
      message: `${prefix}${finding.message}`,
    })),
  };
}

function view(rows: Array<typeof contentAnalyses.$inferSelect>, revisionId: string): AnalysisView {
  const stages = rows.map((row) => ({
    stage: row.stage,
    pluginVersion: String((row.output as { version?: unknown }).version ?? ""),
    ok: !(row.output as { findings?: Array<{ code?: string }> }).findings?.some((f) => f.code === "pipeline.error"),
    blocking: row.blocking,
    output: row.output,
    createdAt: row.createdAt.toISOString(),
  }));
  return { revisionId, status: "analysed", blocking: stages.some((stage) => stage.blocking), stages };
}

/**
 * Runs the five-stage pipeline on an item's current revision and stores every stage's output with it,
 * in one transaction with its audit event. The publish gate (workflow.ts) reads these rows.
 */
export async function analyseContent(scope: Scope, type: ContentType, id: string): Promise<AnalysisView> {
  const item = await scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const row = await loadVisibleItem(tx, viewer, type, id);
    if (!mayEdit(viewer, row) && !viewerHas(viewer, ["medical_reviewer", "editor", "admin"])) {
      throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
    }
    if (!row.currentRevisionId) throw new ConflictError("no_revision", "Save the item before analysing it.");
    if (row.complianceLevel === "phi") await scope.audit(tx, "content.phi_read", { type, id: row.id });
    return row;
  });
  return analyseAndStore(scope, type, item, { automatic: false });
}

/**
 * The `content.analysis_due` listener's work (functions/effects.ts): analyses the revision an item entered
 * review with, or was saved as while in review. Nothing to do (null) when the item has moved on since (a
 * later save raised its own event; a transition out of review needs no run) or the revision is already
 * analysed. The run is the system's, on the request's behalf: whoever moved the item need not be allowed to
 * analyse it.
 */
export async function analyseDueRevision(
  scope: Scope,
  due: { contentType: ContentType; contentId: string; revisionId: string },
): Promise<AnalysisView | null> {
  const item = await scope.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(contentItems)
      .where(and(eq(contentItems.id, due.contentId), eq(contentItems.type, due.contentType)));
    if (!row || row.trashedAt || row.currentRevisionId !== due.revisionId || !ANALYSED_STATES.includes(row.state))
      return null;
    const [done] = await tx
      .select({ id: contentAnalyses.id })
      .from(contentAnalyses)
      .where(eq(contentAnalyses.revisionId, due.revisionId))
      .limit(1);
    return done ? null : row;
  });
  return item ? analyseAndStore(scope, due.contentType, item, { automatic: true }) : null;
}

/**
 * The specialties the author may announce (CFM 2.336/2023: a specialty only with its RQE): the one named by the
 * author's verified credential when it lists an RQE, else none. medical-claims warns about any other specialty
 * the text claims ("especialista em …").
 */
async function authorSpecialties(scope: Scope, authorId: string): Promise<string[]> {
  // An editor's request or a job, not a public read: the tenant's transaction, like the rest of the analysis.
  const rows = await scope.transaction((tx) =>
    tx
      .select({ rqe: professionalCredentials.rqe, specialty: professionalCredentials.specialty })
      .from(professionalCredentials)
      .where(and(eq(professionalCredentials.userId, authorId), eq(professionalCredentials.status, "verified"))),
  );
  return rows.flatMap((row) => (row.specialty && row.rqe.length > 0 ? [row.specialty] : []));
}

async function analyseAndStore(
  scope: Scope,
  type: ContentType,
  item: ContentItem,
  options: { automatic: boolean },
): Promise<AnalysisView> {
  const specialties = await authorSpecialties(scope, item.authorId);
  // The plugins run outside any transaction: they may take milliseconds, and hold no connection meanwhile.
  const result = await runAnalysisPipeline(
    {
      text: maskLibraryImages(item.bodyMarkdown),
      title: item.title,
      locale: item.locale,
      context: {
        slug: item.slug,
        // seo-optimizer judges what search engines are shown: the meta description (or the excerpt), the
        // meta title (or the title), and the focus keyword's use in them and in the body.
        description: item.metaDescription ?? item.excerpt,
        ...(item.metaTitle ? { metaTitle: item.metaTitle } : {}),
        ...(item.focusKeyword ? { keyword: item.focusKeyword } : {}),
        complianceLevel: item.complianceLevel,
        authorSpecialties: specialties,
        // Approval is what names the responsible physician (the workflow enforces it before publishing); once
        // an item is approved, a missing reviewer in its artefacts would be a real defect, hence blocking.
        requiresMedicalReview: ["approved", "scheduled", "published"].includes(item.state),
        ...(item.reviewerName && item.reviewerCrm && item.reviewerUf
          ? { reviewer: { name: item.reviewerName, crm: item.reviewerCrm, uf: item.reviewerUf } }
          : {}),
        ...(item.lastMedicallyReviewedAt
          ? { lastReviewed: item.lastMedicallyReviewedAt.toISOString().slice(0, 10) }
          : {}),
      },
    },
    { resolveReferences: referenceResolver(scope) },
  );
  const metadata = await scanTitleAndExcerpt(item);
  const outputs: PluginOutput[] = [...result.stages.map((stage) => stage.output), ...(metadata ? [metadata] : [])];
  return scope.transaction(async (tx) => {
    const rows = await tx
      .insert(contentAnalyses)
      .values(
        outputs.map((output) => ({
          tenantId: scope.tenant.id,
          revisionId: item.currentRevisionId!,
          stage: output.plugin,
          output: output as unknown as Record<string, unknown>,
          blocking: output.findings.some((finding) => finding.severity === "blocking"),
        })),
      )
      .returning();
    // Codes and counts only: findings quote the text, which may hold personal data.
    await scope.audit(
      tx,
      "content.analysed",
      { type, id: item.id },
      {
        revisionId: item.currentRevisionId,
        blocking: outputs.some((output) => output.findings.some((finding) => finding.severity === "blocking")),
        stages: outputs.map((output) => ({ stage: output.plugin, findings: output.findings.length })),
        ...(options.automatic ? { automatic: true } : {}),
      },
      options.automatic ? { as: { type: "system", id: null } } : {},
    );
    return view(rows, item.currentRevisionId!);
  });
}

/** The latest stored run of each stage for the item's current revision. */
export async function getContentAnalysis(scope: Scope, type: ContentType, id: string): Promise<AnalysisView> {
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    if (!viewerHas(viewer, STAFF_ROLES))
      throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
    const [item] = await tx
      .select({
        revisionId: contentItems.currentRevisionId,
        complianceLevel: contentItems.complianceLevel,
        state: contentItems.state,
      })
      .from(contentItems)
      .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)));
    if (!item) throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
    if (item.complianceLevel === "phi") await scope.audit(tx, "content.phi_read", { type, id });
    if (!item.revisionId) return { revisionId: "", status: "missing", blocking: false, stages: [] };
    const rows = await tx
      .selectDistinctOn([contentAnalyses.stage])
      .from(contentAnalyses)
      .where(eq(contentAnalyses.revisionId, item.revisionId))
      .orderBy(contentAnalyses.stage, desc(contentAnalyses.createdAt));
    if (rows.length > 0) return view(rows, item.revisionId);
    // Every stage is stored in one transaction, so no rows means no run has finished for this revision.
    const status = ANALYSED_STATES.includes(item.state) ? "pending" : "missing";
    return { revisionId: item.revisionId, status, blocking: false, stages: [] };
  });
}

/** What `analyseText` answers: every stage's output on the text, nothing stored. */
export const textAnalysisSchema = z.object({
  blocking: z.boolean(),
  stages: z.array(stageViewSchema.omit({ createdAt: true })),
});
export type TextAnalysis = z.infer<typeof textAnalysisSchema>;

/**
 * Runs the analysis pipeline on a text that is not stored (an integration checking a draft before saving it):
 * the same five stages with the same reference resolution, but no row is written. The run itself is audited with
 * codes and counts only, since the text may hold personal data.
 */
export async function analyseText(
  scope: Scope,
  input: { text: string; title?: string | undefined; locale: ContentLocale },
): Promise<TextAnalysis> {
  const result = await runAnalysisPipeline(
    { text: input.text, locale: input.locale, ...(input.title ? { title: input.title } : {}), context: {} },
    { resolveReferences: referenceResolver(scope) },
  );
  const stages = result.stages.map(({ output }) => ({
    stage: output.plugin,
    pluginVersion: output.version,
    ok: !output.findings.some((finding) => finding.code === "pipeline.error"),
    blocking: output.findings.some((finding) => finding.severity === "blocking"),
    output: output as unknown as Record<string, unknown>,
  }));
  await scope.transaction((tx) =>
    scope.audit(tx, "content.text_analysed", null, {
      blocking: result.blocking,
      stages: stages.map((stage) => ({ stage: stage.stage, findings: (stage.output.findings as unknown[]).length })),
    }),
  );
  return { blocking: result.blocking, stages };
}
