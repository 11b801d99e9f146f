/**
 * What makes a media item personal health data, and what lets an image appear on the public site: pure rules (and
 * their SQL twins) with no service behind them, so the site's and the WordPress API's reads can use them without
 * importing the media service (which purges pages, and so imports the site's reads).
 */
import { type SQL, sql } from "drizzle-orm";
import type { MediaItem } from "../../schema";
import type { RetentionClass } from "../../schema/retention-policies";

/** The retention classes of a patient's record: whatever is kept under them is PHI. */
export const PHI_RETENTION_CLASSES: readonly RetentionClass[] = ["medical_record", "medical_imaging"];

/**
 * A de-identified copy of a study (services/media-deidentify.ts) is the one DICOM object that is not PHI by its kind:
 * the profile removed what identifies the patient. While a person must still look at its pixels for burned-in
 * text, it carries the PHI tag `BurnedInAnnotation` and is PHI like any other.
 */
export const DEIDENTIFIED_CLASS: RetentionClass = "deidentified_media";

/** Whether an item is PHI: imaging, anything of a patient's record, anything whose header carries identifiers. */
export function isPhi(row: Pick<MediaItem, "kind" | "retentionClass" | "phiTags">): boolean {
  return (
    (row.kind === "dicom" && row.retentionClass !== DEIDENTIFIED_CLASS) ||
    PHI_RETENTION_CLASSES.includes(row.retentionClass) ||
    row.phiTags.length > 0
  );
}

// ---------------------------------------------------------------------------------------------------
// The public site's images
// ---------------------------------------------------------------------------------------------------

/** The formats the public site serves and resizes; GIFs stay in the library. */
export const PUBLIC_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
/**
 * The most pixels an image may have to be shown, and so decoded by the resizer: photon decodes to RGBA, 4 bytes a
 * pixel, so 16 MP is 64 MB of a Worker's 128 MB (a 12 MP phone photo fits; a 40 MP one would not). The resizer
 * checks the same cap on the header before it decodes anything (workers/image-resizer).
 */
export const MAX_PUBLIC_PIXELS = 16_000_000;

export type PublicRefusal =
  | "media_not_image"
  | "media_not_publishable"
  | "media_blocked"
  | "media_format_not_public"
  | "image_too_large"
  | "media_alt_text_required"
  | "media_not_public";

const REFUSALS: Record<PublicRefusal, string> = {
  media_not_image: "Only images can appear on the public site.",
  media_not_publishable: "An item of a data subject, or carrying PHI, can never appear on the public site.",
  media_blocked: "This item is blocked: it is retained only to meet a legal obligation.",
  media_format_not_public: `The public site shows ${PUBLIC_IMAGE_TYPES.join(", ")} images only.`,
  image_too_large: `The public site shows images of at most ${MAX_PUBLIC_PIXELS / 1_000_000} megapixels.`,
  media_alt_text_required: "An image needs its alt text before it can appear on the public site.",
  media_not_public: "The image is not marked public.",
};

/**
 * Why an item may not appear on the public site, or null when it may: an image in a served format, within the
 * pixel cap, with no data subject and no PHI, not blocked, with alt text, explicitly marked public. `as.public`
 * asks the question as if it were marked (what marking it would need).
 */
export function publicRefusal(
  row: Pick<
    MediaItem,
    "kind" | "retentionClass" | "phiTags" | "subjectId" | "blockedAt" | "contentType" | "width" | "height" | "altText"
  > & { publicAt?: Date | null },
  as: { public: boolean } = { public: false },
): PublicRefusal | null {
  if (row.kind !== "image") return "media_not_image";
  if (row.subjectId !== null || isPhi(row) || row.retentionClass !== "general_media") return "media_not_publishable";
  if (row.blockedAt) return "media_blocked";
  if (!(PUBLIC_IMAGE_TYPES as readonly string[]).includes(row.contentType)) return "media_format_not_public";
  if (row.width === null || row.height === null || row.width * row.height > MAX_PUBLIC_PIXELS) return "image_too_large";
  if (!row.altText?.trim()) return "media_alt_text_required";
  if (!as.public && !row.publicAt) return "media_not_public";
  return null;
}

/** Every reason an item may not appear publicly: each is also a problem code the API answers. */
export const PUBLIC_REFUSALS = Object.keys(REFUSALS) as PublicRefusal[];

export function publicRefusalMessage(code: PublicRefusal): string {
  return REFUSALS[code];
}

/**
 * `publicRefusal(row) === null` as SQL on a `media_items` row named `alias` (a fixed identifier of ours, never
 * input), for the reads of the site, the WordPress API and the image route: every one of them asks the same.
 */
export function publicMediaSql(alias: "m" | "media_items"): SQL {
  const a = alias;
  const types = PUBLIC_IMAGE_TYPES.map((type) => `'${type}'`).join(", ");
  return sql.raw(
    `(${a}.kind = 'image' and ${a}.subject_id is null and ${a}.retention_class = 'general_media'
      and cardinality(${a}.phi_tags) = 0 and ${a}.blocked_at is null and ${a}.content_type in (${types})
      and ${a}.width is not null and ${a}.height is not null and ${a}.width::bigint * ${a}.height <= ${MAX_PUBLIC_PIXELS}
      and coalesce(btrim(${a}.alt_text), '') <> '' and ${a}.public_at is not null)`,
  );
}
