import { z } from "@hono/zod-openapi";
import { complianceLevels, contentLocales, workflowStates } from "../../../schema";
import { contentPageViewSchema } from "../../services/content/crud";
import { contentViewSchema } from "../../services/content/kernel";
import { MAX_MARKDOWN_LENGTH } from "../../services/content/markdown";
import { revisionComparisonViewSchema, revisionViewSchema } from "../../services/content/revisions";
import { termViewSchema } from "../../services/content/taxonomy";
import { problemResponses } from "../../lib/openapi";

/** The problems every content route can answer. */
export const contentProblems = problemResponses(401, 403, 404, 422);

export const slugSchema = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lower-case letters, digits and single hyphens");

export const idParams = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

export const contentItemSchema = contentViewSchema.openapi("ContentItem");

/**
 * A canonical URL override: absolute, https, with a host and no credentials. A canonical link tells search
 * engines which URL to index; a relative, http or `javascript:` one would be ignored, or worse.
 */
export function isAbsoluteHttpsUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "";
}

/** An optional SEO text: trimmed, and empty means "not set" (null), like leaving the field blank. */
const seoText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value) => (value ? value : null));

const editableFields = {
  title: z.string().trim().min(1).max(300),
  slug: slugSchema,
  bodyMarkdown: z.string().max(MAX_MARKDOWN_LENGTH),
  excerpt: z.string().max(1_000),
  locale: z.enum(contentLocales),
  translationGroupId: z.uuid(),
  complianceLevel: z.enum(complianceLevels),
  featuredMediaId: z.uuid().nullable(),
  categoryIds: z.array(z.uuid()).max(50),
  tagIds: z.array(z.uuid()).max(100),
  metaTitle: seoText(120),
  metaDescription: seoText(320),
  focusKeyword: seoText(100),
  canonicalUrl: z
    .string()
    .trim()
    .max(2_048)
    .refine((value) => value === "" || isAbsoluteHttpsUrl(value), "must be an absolute https URL")
    .nullable()
    .transform((value) => (value ? value : null)),
  noindex: z.boolean(),
};

/**
 * `.strict()`: a body naming any other field (state, authorId, version, publishedAt, reviewer…) is refused
 * with 422 rather than silently ignored, so privileged fields can never be mass-assigned.
 */
export const contentCreateSchema = z
  .object({
    ...editableFields,
    slug: editableFields.slug.optional(),
    bodyMarkdown: editableFields.bodyMarkdown.optional(),
    excerpt: editableFields.excerpt.optional(),
    translationGroupId: editableFields.translationGroupId.optional(),
    complianceLevel: editableFields.complianceLevel.optional(),
    featuredMediaId: editableFields.featuredMediaId.optional(),
    categoryIds: editableFields.categoryIds.optional(),
    tagIds: editableFields.tagIds.optional(),
    metaTitle: editableFields.metaTitle.optional(),
    metaDescription: editableFields.metaDescription.optional(),
    focusKeyword: editableFields.focusKeyword.optional(),
    canonicalUrl: editableFields.canonicalUrl.optional(),
    noindex: editableFields.noindex.optional(),
  })
  .strict()
  .openapi("ContentCreate");

export const contentUpdateSchema = z
  .object(editableFields)
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: "name at least one field to change" })
  .openapi("ContentUpdate");

export const contentListQuery = z.object({
  state: z.enum(workflowStates).optional(),
  locale: z.enum(contentLocales).optional(),
  category: z.uuid().optional(),
  tag: z.uuid().optional(),
  author: z.uuid().optional(),
  complianceLevel: z.enum(complianceLevels).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  trashed: z.enum(["true", "false"]).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const contentPageSchema = contentPageViewSchema.openapi("ContentPage");

export const transitionSchema = z
  .object({
    to: z.enum(workflowStates),
    reason: z.string().trim().min(1).max(2_000).optional(),
    justification: z.string().trim().max(4_000).optional(),
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi("Transition");

export const revisionSchema = revisionViewSchema.openapi("Revision");

export const revisionComparisonSchema = revisionComparisonViewSchema.openapi("RevisionComparison");

export const termSchema = termViewSchema.openapi("Term");

export const ifMatchHeader = z.object({
  "if-match": z
    .string()
    .max(40)
    .optional()
    .openapi({ description: 'The version being edited, as the ETag gave it: "3".' }),
});

export const idempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .max(255)
    .optional()
    .openapi({ description: "Makes a retried POST safe: the first answer is returned again." }),
});
