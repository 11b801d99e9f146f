import type { ContentLocale, ContentType } from "../../../schema";
import { contentTypes } from "../../content-types";
import { IMAGE_EXTENSIONS, imageVersion, imageWidthsFor, type SiteImage } from "../../image-urls";
import { sitePaths } from "../../site/urls";
import { escapeHtml } from "../content/sanitize";

/**
 * WordPress's JSON shapes (wp-includes/rest-api/endpoints), snake_case as WordPress writes them: this is a
 * compatibility API, so its bodies are WordPress's, not this API's.
 */

export type Json = Record<string, unknown>;

export type WpTaxonomy = "category" | "post_tag";

// Taxonomies and authors have no locale of their own; their public pages are linked in the default locale.
const DEFAULT_LOCALE = "pt-BR" as const;

function apiRoot(origin: string): string {
  return `${origin}/wp-json/wp/v2`;
}

/**
 * WordPress gives post-like types their terms (sticky, format, categories, tags) and page-like types a place
 * in a hierarchy (parent, menu_order). Here the types with terms are the listed ones: categories and tags
 * group what the site lists.
 */
export function hasTerms(type: ContentType): boolean {
  return contentTypes[type].listed;
}

/** Applies `_fields` (top-level names, or `a.b` for one nested member), as WordPress's rest_filter_response_fields. */
export function filterFields(item: Json, fields: string[] | undefined): Json {
  if (!fields) return item;
  const out: Json = {};
  for (const field of fields) {
    const [head, ...rest] = field.split(".");
    if (!head || !(head in item)) continue;
    if (rest.length === 0) {
      out[head] = item[head];
    } else {
      const nested = item[head];
      if (nested && typeof nested === "object" && rest[0]! in (nested as Json)) {
        out[head] = { ...((out[head] as Json | undefined) ?? {}), [rest[0]!]: (nested as Json)[rest[0]!] };
      }
    }
  }
  return out;
}

/** The item's page on the public site (functions/site/urls.ts is the one place public URLs are made). */
function itemLink(origin: string, item: Pick<WpItem, "type" | "slug" | "locale">): string {
  return `${origin}${sitePaths.item(item.locale, item.type, item.slug)}`;
}

/** A published item as the WordPress reads select it (queries.ts `itemRowsQuery`); instants already formatted. */
export interface WpItem {
  id: string;
  wpId: number;
  type: ContentType;
  slug: string;
  locale: ContentLocale;
  title: string;
  bodyHtml: string;
  excerpt: string;
  /**
   * When it was published (when it was created, for an item published before that was recorded) and last modified,
   * as WordPress dates (queries.ts `wpDateSql`).
   */
  date: string;
  modified: string;
  /** Whether a physician reviewed it; the reviewer's name and CRM as they were then. */
  reviewed: boolean;
  reviewerName: string | null;
  reviewerCrm: string | null;
  reviewerUf: string | null;
  /** An ISO 8601 instant (`toISOString`). */
  lastReviewedAt: string | null;
  authorWpId: number;
  categoryWpIds: number[];
  tagWpIds: number[];
  /** The featured image's WordPress id when it may appear publicly; 0 (WordPress's "none") otherwise. */
  featuredMediaWpId: number;
  /** The public images the body refers to. */
  bodyImages: SiteImage[];
}

export function postShape(origin: string, item: WpItem): Json {
  const api = apiRoot(origin);
  const base = contentTypes[item.type].wp.restBase;
  // The site's zone is UTC: each date is also its GMT date.
  const { date, modified } = item;
  const shape: Json = {
    id: item.wpId,
    date,
    date_gmt: date,
    guid: { rendered: `${api}/${base}/${item.wpId}` },
    modified,
    modified_gmt: modified,
    slug: item.slug,
    status: "publish",
    type: item.type,
    link: itemLink(origin, item),
    title: { rendered: escapeHtml(item.title) },
    content: { rendered: item.bodyHtml, protected: false },
    excerpt: { rendered: item.excerpt ? `<p>${escapeHtml(item.excerpt)}</p>\n` : "", protected: false },
    author: item.authorWpId,
    // WordPress uses 0 for "none"; a featured image that may not appear publicly is none here.
    featured_media: item.featuredMediaWpId,
    comment_status: "closed",
    ping_status: "closed",
    template: "",
    meta: {},
    lang: item.locale,
    // Published medical content names its responsible physician (CFM 2.336/2023) and the review date.
    medical_review: item.reviewed
      ? {
          reviewer: item.reviewerName,
          crm: item.reviewerCrm && item.reviewerUf ? `CRM/${item.reviewerUf} ${item.reviewerCrm}` : null,
          last_reviewed: item.lastReviewedAt,
        }
      : null,
  };
  if (hasTerms(item.type)) {
    Object.assign(shape, {
      sticky: false,
      format: "standard",
      categories: item.categoryWpIds,
      tags: item.tagWpIds,
    });
  } else {
    Object.assign(shape, { parent: 0, menu_order: 0 });
  }
  shape._links = {
    self: [{ href: `${api}/${base}/${item.wpId}` }],
    collection: [{ href: `${api}/${base}` }],
    about: [{ href: `${api}/types/${item.type}` }],
    author: [{ embeddable: true, href: `${api}/users/${item.authorWpId}` }],
    ...(item.featuredMediaWpId
      ? { "wp:featuredmedia": [{ embeddable: true, href: `${api}/media/${item.featuredMediaWpId}` }] }
      : {}),
    ...(hasTerms(item.type)
      ? {
          "wp:term": [
            { taxonomy: "category", embeddable: true, href: `${api}/categories?post=${item.wpId}` },
            { taxonomy: "post_tag", embeddable: true, href: `${api}/tags?post=${item.wpId}` },
          ],
        }
      : {}),
    curies: [{ name: "wp", href: "https://api.w.org/{rel}", templated: true }],
  };
  return shape;
}

export interface TermRow {
  id: string;
  wpId: number;
  name: string;
  slug: string;
  description: string;
  parentWpId: number | null;
  count: number;
}

export function termShape(origin: string, taxonomy: WpTaxonomy, term: TermRow): Json {
  const api = apiRoot(origin);
  const base = taxonomy === "category" ? "categories" : "tags";
  return {
    id: term.wpId,
    count: term.count,
    description: term.description,
    link: `${origin}${taxonomy === "category" ? sitePaths.category(DEFAULT_LOCALE, term.slug) : sitePaths.tag(DEFAULT_LOCALE, term.slug)}`,
    name: term.name,
    slug: term.slug,
    taxonomy,
    // A raw bigint arrives from the driver as a string.
    ...(taxonomy === "category" ? { parent: term.parentWpId === null ? 0 : Number(term.parentWpId) } : {}),
    meta: [],
    _links: {
      self: [{ href: `${api}/${base}/${term.wpId}` }],
      collection: [{ href: `${api}/${base}` }],
      about: [{ href: `${api}/taxonomies/${taxonomy}` }],
      "wp:post_type": [{ href: `${api}/posts?${base}=${term.wpId}` }],
      curies: [{ name: "wp", href: "https://api.w.org/{rel}", templated: true }],
    },
  };
}

export interface AuthorRow {
  wpId: number;
  slug: string;
  name: string;
}

/** Public author data only: never the e-mail or anything else about the person. */
export function userShape(origin: string, author: AuthorRow): Json {
  const api = apiRoot(origin);
  return {
    id: author.wpId,
    name: author.name,
    url: "",
    description: "",
    link: `${origin}${sitePaths.author(DEFAULT_LOCALE, author.slug)}`,
    slug: author.slug,
    avatar_urls: {},
    meta: [],
    _links: {
      self: [{ href: `${api}/users/${author.wpId}` }],
      collection: [{ href: `${api}/users` }],
    },
  };
}

/** A public image as `/wp/v2/media` reads it. */
export interface MediaRow {
  wpId: number;
  id: string;
  contentType: string;
  sha256: string;
  width: number;
  height: number;
  altText: string;
  /** When it was uploaded, as a WordPress date (queries.ts `wpDateSql`). */
  date: string;
}

/**
 * WordPress's attachment shape (WP_REST_Attachments_Controller): `source_url` is the original size's URL and
 * `media_details.sizes` one entry per width the image route serves. Only what a reader of the page already sees:
 * no filename (it may name a patient), no uploader.
 */
export function mediaShape(origin: string, row: MediaRow): Json {
  const api = apiRoot(origin);
  const ref = { id: row.id, contentType: row.contentType, version: imageVersion(row.sha256) };
  const widths = imageWidthsFor(row.width);
  const full = widths.at(-1) ?? row.width;
  const sizes: Json = {};
  for (const width of widths) {
    const shown = Math.min(width, row.width);
    sizes[width >= row.width ? "full" : `w${width}`] = {
      file: `${width}.${IMAGE_EXTENSIONS[row.contentType] ?? "jpg"}`,
      width: shown,
      height: Math.round((row.height * shown) / row.width),
      mime_type: row.contentType,
      source_url: `${origin}${sitePaths.image(ref, width)}`,
    };
  }
  return {
    id: row.wpId,
    date: row.date,
    date_gmt: row.date,
    guid: { rendered: `${origin}${sitePaths.image(ref, full)}` },
    modified: row.date,
    modified_gmt: row.date,
    slug: String(row.wpId),
    status: "inherit",
    type: "attachment",
    link: `${origin}${sitePaths.image(ref, full)}`,
    title: { rendered: escapeHtml(row.altText) },
    author: 0,
    caption: { rendered: "" },
    alt_text: row.altText,
    media_type: "image",
    mime_type: row.contentType,
    media_details: { width: row.width, height: row.height, file: "", sizes },
    post: null,
    source_url: `${origin}${sitePaths.image(ref, full)}`,
    _links: {
      self: [{ href: `${api}/media/${row.wpId}` }],
      collection: [{ href: `${api}/media` }],
    },
  };
}
