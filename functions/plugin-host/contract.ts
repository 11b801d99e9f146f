// The JSON contract between the host and every analysis plugin, checked on the host side: a plugin is
// untrusted code as far as its output goes, and a malformed result must become a pipeline error rather
// than a crash somewhere in the admin SPA or the publishing gate.
import { z } from "zod";

export const severitySchema = z.enum(["info", "warning", "blocking"]);

export const findingSchema = z
  .object({
    code: z.string().min(1).max(200),
    severity: severitySchema,
    message: z.string().max(10_000),
    start: z.number().int().nonnegative().optional(),
    end: z.number().int().nonnegative().optional(),
    suggestion: z.string().max(10_000).optional(),
  })
  .refine((f) => f.start === undefined || f.end === undefined || f.start <= f.end, {
    message: "start must not exceed end",
    path: ["end"],
  });

// Loose: plugins add their own fields (redactedText, references, readability, jsonLd, …).
export const pluginOutputSchema = z.looseObject({
  plugin: z.string().min(1),
  version: z.string().min(1),
  score: z.number().min(0).max(100).optional(),
  findings: z.array(findingSchema),
});

export const localeSchema = z.enum(["pt-BR", "en", "es"]);

/**
 * `context` is open (each stage reads its own keys, and later stages see earlier stages' summaries); the keys
 * the host sets with a fixed meaning are checked here. `authorSpecialties`: the specialties the author holds an
 * RQE for (medical-claims warns about any other one the text claims); absent, that check does not run.
 */
export const pluginContextSchema = z.looseObject({
  authorSpecialties: z.array(z.string().max(200)).max(20).optional(),
});

export const pluginInputSchema = z.object({
  text: z.string(),
  title: z.string().optional(),
  locale: localeSchema,
  context: pluginContextSchema.optional(),
});

/** A short, data-free description of the first contract violation (paths and zod messages only). */
export function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return "output does not match the contract";
  const path = first.path.length > 0 ? first.path.join(".") : "(root)";
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return `${path}: ${first.message}${more}`;
}
