import { CONTENT_TYPES, type ContentType } from "./contract";

/**
 * What differs between content types, in one place. Routes, the WordPress-compatible API, the public site,
 * its URLs and the cache purge read this table instead of testing `type === "post"`. Adding a type is one
 * entry here, its name in `CONTENT_TYPES` (functions/contract.ts) and a migration for the column's check.
 */
export interface ContentTypeSpec {
  type: ContentType;
  /** The singular noun in messages: "No post was found with this id." */
  noun: string;
  /** The OpenAPI tag of its routes and the last segment of its API path: "Posts" → `/api/posts`. */
  tag: string;
  apiPath: `/api/${string}`;
  /** WordPress REST: the collection's `rest_base` under `/wp-json/wp/v2/`, and its invalid-id error code. */
  wp: { restBase: string; invalidIdCode: string };
  /**
   * Whether published items appear in the site's lists: home, category, tag, author, search pages and the
   * feeds. Pages are reached by their own URL and the sitemap only.
   */
  listed: boolean;
  /** The site path of an item below its locale segment: `posts/<slug>/` or `<slug>/`. */
  sitePath(slug: string): string;
}

export const contentTypes: Readonly<Record<ContentType, ContentTypeSpec>> = {
  post: {
    type: "post",
    noun: "post",
    tag: "Posts",
    apiPath: "/api/posts",
    wp: { restBase: "posts", invalidIdCode: "rest_post_invalid_id" },
    listed: true,
    sitePath: (slug) => `posts/${slug}/`,
  },
  page: {
    type: "page",
    noun: "page",
    tag: "Pages",
    apiPath: "/api/pages",
    // WordPress answers rest_post_invalid_id for a missing page too.
    wp: { restBase: "pages", invalidIdCode: "rest_post_invalid_id" },
    listed: false,
    sitePath: (slug) => `${slug}/`,
  },
};

/** Every type's spec, in the contract's order. */
export const allContentTypes: readonly ContentTypeSpec[] = CONTENT_TYPES.map((type) => contentTypes[type]);

/** The types whose published items appear in the site's lists and feeds. */
export const listedContentTypes: readonly ContentType[] = allContentTypes.filter((s) => s.listed).map((s) => s.type);

/** The type served under a WordPress `rest_base`, or null. */
export function contentTypeByWpRestBase(restBase: string): ContentTypeSpec | null {
  return allContentTypes.find((spec) => spec.wp.restBase === restBase) ?? null;
}
