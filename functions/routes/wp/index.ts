import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import { allContentTypes, type ContentTypeSpec } from "../../content-types";
import { createRouter } from "../../lib/router";
import { protect } from "../../middleware/protect";
import type { Scope } from "../../scope";
import {
  getWpContent,
  getWpMedia,
  getWpTerm,
  getWpUser,
  isPastLastPage,
  type Json,
  listWpContent,
  listWpMedia,
  listWpTerms,
  listWpUsers,
  type WpPage,
  type WpTaxonomy,
} from "../../services/wordpress";
import { invalidPageNumberError, noRouteError, WordPressError } from "./errors";
import { parseWpId, parseWpItemQuery, parseWpQuery, readWpParams, type WpParams } from "./query";

/**
 * The WordPress-compatible read API, mounted at `/wp-json`. Public: anonymous readers see published
 * `public` content; verified professionals also `professional`. Errors use WordPress's shape, not
 * problem+json, because WordPress clients switch on `code` and `data.status`.
 */
const publicRead = protect({ sensitivity: "public", action: "read" });

// Documented for the OpenAPI description; parsed by parseWpQuery, which answers WordPress's errors.
const collectionQuery = z
  .object({
    page: z.string().optional().openapi({ description: "Page of the collection (1-based)." }),
    per_page: z.string().optional().openapi({ description: "Items per page, 1 to 100 (default 10)." }),
    search: z.string().optional(),
    slug: z.string().optional(),
    include: z.string().optional(),
    author: z.string().optional(),
    categories: z.string().optional(),
    tags: z.string().optional(),
    after: z.string().optional().openapi({ description: "ISO 8601 date-time; published after." }),
    before: z.string().optional(),
    orderby: z.string().optional(),
    order: z.enum(["asc", "desc"]).or(z.string()).optional(),
    _fields: z.string().optional(),
    _embed: z.string().optional(),
  })
  .loose();
const itemParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "42" }) });
const wpJson = (description: string) => ({ description, content: { "application/json": { schema: z.unknown() } } });
const wpError = {
  description: "WordPress error: { code, message, data: { status } }.",
  content: { "application/json": { schema: z.unknown() } },
};

type WpContext = Context<AppBindings>;

/**
 * A request to a WordPress route, read once: its scope (`c.get`, not `c.var`, which copies every variable of the
 * request) and its URL, whose origin makes WordPress's absolute `link` and `_links` and whose parameters are the
 * query. The URL is read as the string the runtime serialized (`c.req.url`), not parsed again into a `URL`.
 */
interface WpCall {
  c: WpContext;
  scope: Scope;
  /** The request's URL, serialized: scheme, host, path, then `?` and the query when it has one. */
  href: string;
  origin: string;
  params: WpParams;
}

function callOf(c: WpContext): WpCall {
  const href = c.req.url;
  // A serialized http(s) URL: the origin ends where the path begins, the query where the fragment would.
  const origin = href.slice(0, href.indexOf("/", href.indexOf("//") + 2));
  const hash = href.indexOf("#");
  const end = hash === -1 ? href.length : hash;
  const query = href.indexOf("?");
  const search = query === -1 || query > end ? "" : href.slice(query, end);
  return { c, scope: c.get("scope"), href, origin, params: readWpParams(search) };
}

/** The request's URL with another `page` (WordPress's `Link` targets), as `URLSearchParams.set` writes it. */
function pageLink(href: string, page: number): string {
  if (!href.includes("?") && !href.includes("#")) return `${href}?page=${page}`;
  const url = new URL(href);
  url.searchParams.set("page", String(page));
  return url.toString();
}

/** Private when the answer depends on who asks (a signed-in professional); shared caches otherwise. */
function cacheHeaders({ c, scope }: WpCall): void {
  c.header("Cache-Control", scope.actor.kind === "user" ? "private, no-store" : "public, max-age=60");
  c.header("Vary", "Authorization");
}

/** WordPress's collection headers: totals and RFC 8288 links to the neighbouring pages. */
function collectionResponse(call: WpCall, page: WpPage, current: number): Response {
  if (isPastLastPage(current, page.totalPages)) throw invalidPageNumberError();
  const { c, href } = call;
  const links: string[] = [];
  if (current > 1 && current - 1 <= Math.max(1, page.totalPages))
    links.push(`<${pageLink(href, current - 1)}>; rel="prev"`);
  if (current < page.totalPages) links.push(`<${pageLink(href, current + 1)}>; rel="next"`);
  c.header("X-WP-Total", String(page.total));
  c.header("X-WP-TotalPages", String(page.totalPages));
  if (links.length > 0) c.header("Link", links.join(", "));
  c.header("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link");
  cacheHeaders(call);
  return c.json(page.items, 200);
}

/** One item, or WordPress's 404 for it when the read found nothing the reader may see. */
function itemResponse(call: WpCall, body: Json | null, notFound: () => WordPressError): Response {
  if (!body) throw notFound();
  cacheHeaders(call);
  return call.c.json(body, 200);
}

/** Renders WordPress errors in WordPress's shape; everything else goes to the app's problem+json handler. */
async function wordpress(c: WpContext, run: () => Promise<Response>): Promise<never> {
  try {
    return (await run()) as never;
  } catch (error) {
    if (error instanceof WordPressError) {
      return c.json(error.toJSON(), error.status, { "Cache-Control": "no-store" }) as never;
    }
    throw error;
  }
}

/** A collection under `/wp/v2/<restBase>`: how its list and its items are read. */
interface Collection {
  restBase: string;
  list(call: WpCall): Promise<Response>;
  item(call: WpCall, id: number): Promise<Response>;
}

function contentCollection(spec: ContentTypeSpec): Collection {
  return {
    restBase: spec.wp.restBase,
    async list(call) {
      const query = parseWpQuery(call.params, "posts");
      return collectionResponse(
        call,
        await listWpContent(call.scope, { type: spec.type, query, origin: call.origin }),
        query.page,
      );
    },
    async item(call, wpId) {
      const body = await getWpContent(call.scope, {
        type: spec.type,
        wpId,
        origin: call.origin,
        ...parseWpItemQuery(call.params),
      });
      return itemResponse(call, body, () => new WordPressError(404, spec.wp.invalidIdCode, "Invalid post ID."));
    },
  };
}

function termCollection(restBase: string, taxonomy: WpTaxonomy): Collection {
  return {
    restBase,
    async list(call) {
      const query = parseWpQuery(call.params, "terms");
      return collectionResponse(
        call,
        await listWpTerms(call.scope, { taxonomy, query, origin: call.origin }),
        query.page,
      );
    },
    async item(call, wpId) {
      const { fields } = parseWpItemQuery(call.params);
      const body = await getWpTerm(call.scope, { taxonomy, wpId, origin: call.origin, fields });
      return itemResponse(call, body, () => new WordPressError(404, "rest_term_invalid", "Term does not exist."));
    },
  };
}

const usersCollection: Collection = {
  restBase: "users",
  async list(call) {
    const query = parseWpQuery(call.params, "users");
    return collectionResponse(call, await listWpUsers(call.scope, { query, origin: call.origin }), query.page);
  },
  async item(call, wpId) {
    const { fields } = parseWpItemQuery(call.params);
    const body = await getWpUser(call.scope, { wpId, origin: call.origin, fields });
    return itemResponse(call, body, () => new WordPressError(404, "rest_user_invalid_id", "Invalid user ID."));
  },
};

/** The images that may appear on the public site (only those: the rest of the library does not exist here). */
const mediaCollection: Collection = {
  restBase: "media",
  async list(call) {
    const query = parseWpQuery(call.params, "media");
    return collectionResponse(call, await listWpMedia(call.scope, { query, origin: call.origin }), query.page);
  },
  async item(call, wpId) {
    const { fields } = parseWpItemQuery(call.params);
    const body = await getWpMedia(call.scope, { wpId, origin: call.origin, ...(fields ? { fields } : {}) });
    return itemResponse(call, body, () => new WordPressError(404, "rest_post_invalid_id", "Invalid post ID."));
  },
};

/** The content types' collections in the registry's order, then the taxonomies, the authors and the media. */
const COLLECTIONS: readonly Collection[] = [
  ...allContentTypes.map(contentCollection),
  termCollection("categories", "category"),
  termCollection("tags", "post_tag"),
  usersCollection,
  mediaCollection,
];

function collectionRoutes(name: string) {
  return {
    list: createRoute({
      method: "get",
      path: `/wp/v2/${name}`,
      tags: ["WordPress API"],
      summary: `WordPress: list ${name}`,
      middleware: [publicRead] as const,
      request: { query: collectionQuery },
      responses: { 200: wpJson(`A page of ${name}; X-WP-Total, X-WP-TotalPages and Link headers.`), 400: wpError },
    }),
    item: createRoute({
      method: "get",
      path: `/wp/v2/${name}/{id}`,
      tags: ["WordPress API"],
      summary: `WordPress: one of ${name}`,
      middleware: [publicRead] as const,
      request: {
        params: itemParams,
        query: z.object({ _fields: z.string().optional(), _embed: z.string().optional() }).loose(),
      },
      responses: { 200: wpJson("The item."), 404: wpError },
    }),
  };
}

const discovery = createRoute({
  method: "get",
  path: "/",
  tags: ["WordPress API"],
  summary: "WordPress: API discovery (site name, namespaces, routes)",
  middleware: [publicRead] as const,
  responses: { 200: wpJson("The index of the API.") },
});

export function createWordPressRouter(): OpenAPIHono<AppBindings> {
  const router = createRouter();

  router.openapi(discovery, async (c) =>
    wordpress(c, async () => {
      const call = callOf(c);
      const { origin } = call;
      const routes: Record<string, unknown> = {
        "/": {
          namespace: "",
          methods: ["GET"],
          endpoints: [{ methods: ["GET"], args: {} }],
          _links: { self: [{ href: `${origin}/wp-json/` }] },
        },
        "/wp/v2": {
          namespace: "wp/v2",
          methods: ["GET"],
          endpoints: [{ methods: ["GET"], args: {} }],
          _links: { self: [{ href: `${origin}/wp-json/wp/v2` }] },
        },
      };
      for (const { restBase: name } of COLLECTIONS) {
        routes[`/wp/v2/${name}`] = {
          namespace: "wp/v2",
          methods: ["GET"],
          endpoints: [{ methods: ["GET"], args: {} }],
          _links: { self: [{ href: `${origin}/wp-json/wp/v2/${name}` }] },
        };
        routes[`/wp/v2/${name}/(?P<id>[\\d]+)`] = {
          namespace: "wp/v2",
          methods: ["GET"],
          endpoints: [{ methods: ["GET"], args: {} }],
        };
      }
      cacheHeaders(call);
      return c.json(
        {
          name: call.scope.tenant.name,
          description: "Vitalis",
          url: origin,
          home: origin,
          gmt_offset: 0,
          timezone_string: "UTC",
          namespaces: ["wp/v2"],
          authentication: {},
          routes,
          _links: { help: [{ href: "https://developer.wordpress.org/rest-api/" }] },
        },
        200,
      );
    }),
  );

  for (const collection of COLLECTIONS) {
    const routes = collectionRoutes(collection.restBase);
    router.openapi(routes.list, async (c) => wordpress(c, () => collection.list(callOf(c))));
    router.openapi(routes.item, async (c) =>
      wordpress(c, () => collection.item(callOf(c), parseWpId(c.req.param("id")))),
    );
  }

  // Anything else under /wp-json is WordPress's "no route" (404), in its shape.
  router.all("*", (c) => c.json(noRouteError().toJSON(), 404));
  return router;
}

export const wordpressRouter = createWordPressRouter();
