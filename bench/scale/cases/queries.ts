/**
 * The query cases of issue #14's table: WordPress search, tags, deep pages; the site's list, feed and sitemap;
 * the admin posts index; audit events filtered by action and by target.
 */
import { getCase, type ScaleCase } from "../case.js";

/**
 * The deep WordPress page: the smallest tenant's last page, the same page (so the same offset) at every scale.
 * WordPress pages by offset, so a page's cost grows with its depth; `?page=500` at 100× against the last page at
 * 1× (page 15) compared a 33× deeper offset, not a bigger tenant.
 */
let deepPage: number | null = null;

export default [
  getCase("WP posts ?search=", (ctx) => ({ path: `/wp-json/wp/v2/posts?search=${ctx.tenant.facts.searchWord}` })),
  // 20 a page: the 1× tenant has 20 tags, so the page holds as many terms at every scale (`per_page=100` held 20
  // at 1× and 100 at 100×, a bigger page rather than a bigger tenant).
  getCase("WP tags ?per_page=20", () => ({ path: "/wp-json/wp/v2/tags?per_page=20" })),
  getCase("WP tags ?per_page=10", () => ({ path: "/wp-json/wp/v2/tags?per_page=10" })),
  {
    ...getCase("WP posts ?page= (same depth at every scale)", () => ({
      path: `/wp-json/wp/v2/posts?page=${deepPage}`,
    })),
    async setup(ctx) {
      if (deepPage !== null) return;
      const first = await ctx.request("/wp-json/wp/v2/posts");
      deepPage = Number(first.headers["x-wp-totalpages"] ?? 1);
    },
  },
  // One file holds up to 45,000 URLs, so this file is the locale's every indexable item at each scale (about 77 at
  // 1×, 7,650 at 100×): it grows with its own length, the page. The index and the list files should not.
  getCase("site sitemap /sitemaps/pt-br-1.xml", () => ({ path: "/sitemaps/pt-br-1.xml" })),
  getCase("site sitemap lists /sitemaps/pt-br-lists-1.xml", () => ({ path: "/sitemaps/pt-br-lists-1.xml" })),
  getCase("site sitemap index /sitemap.xml", () => ({ path: "/sitemap.xml" })),
  getCase("site list page 1 /pt-br/", () => ({ path: "/pt-br/" })),
  getCase("site feed /pt-br/feed.xml", () => ({ path: "/pt-br/feed.xml" })),
  getCase(
    "admin GET /api/posts",
    (ctx) => ({ path: "/api/posts?limit=20", headers: { authorization: `Bearer ${ctx.tokens.editor}` } }),
    { meter: false },
  ),
  getCase(
    "audit events ?action= (rare)",
    (ctx) => ({
      path: `/api/audit/events?action=${ctx.tenant.facts.rareAuditAction}`,
      headers: { authorization: `Bearer ${ctx.tokens.officer}` },
    }),
    { meter: false },
  ),
  getCase(
    "audit events ?targetId=",
    (ctx) => ({
      path: `/api/audit/events?targetType=content&targetId=${ctx.tenant.facts.auditTargetId}`,
      headers: { authorization: `Bearer ${ctx.tokens.officer}` },
    }),
    { meter: false },
  ),
] satisfies ScaleCase[];
