/**
 * The query cases of issue #14's table: WordPress search, tags, deep pages; the site's list, feed and sitemap;
 * the admin posts index; audit events filtered by action and by target.
 */
import { getCase, type ScaleCase } from "../case.js";

/** WordPress `?page=500`, or the last page while the tenant has fewer (1× and 10×). */
let deepPage = 1;

export default [
  getCase("WP posts ?search=", (ctx) => ({ path: `/wp-json/wp/v2/posts?search=${ctx.tenant.facts.searchWord}` })),
  getCase("WP tags ?per_page=100", () => ({ path: "/wp-json/wp/v2/tags?per_page=100" })),
  getCase("WP tags ?per_page=10", () => ({ path: "/wp-json/wp/v2/tags?per_page=10" })),
  {
    ...getCase("WP posts ?page=500 (or the last)", () => ({ path: `/wp-json/wp/v2/posts?page=${deepPage}` })),
    async setup(ctx) {
      const first = await ctx.request("/wp-json/wp/v2/posts");
      deepPage = Math.min(500, Number(first.headers["x-wp-totalpages"] ?? 1));
    },
  },
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
