import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import { createRouter } from "../../lib/router";
import { protect } from "../../middleware/protect";
import {
  getWpContent,
  getWpTerm,
  getWpUser,
  listWpContent,
  listWpTerms,
  listWpUsers,
  parseWpQuery,
  type WpPage,
  WordPressError,
  type WpReadContext,
} from "../../services/content-wordpress";

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

function wpContext(c: Context<AppBindings>): WpReadContext {
  return { ...c.var.scope, origin: new URL(c.req.url).origin };
}

/** Private when the answer depends on who asks (a signed-in professional); shared caches otherwise. */
function cacheHeaders(c: Context<AppBindings>): void {
  c.header("Cache-Control", c.var.scope.actor?.kind === "user" ? "private, no-store" : "public, max-age=60");
  c.header("Vary", "Authorization");
}

/** WordPress's collection headers: totals and RFC 8288 links to the neighbouring pages. */
function collectionResponse(c: Context<AppBindings>, page: WpPage, current: number): Response {
  const url = new URL(c.req.url);
  const links: string[] = [];
  const linkTo = (n: number, rel: string) => {
    url.searchParams.set("page", String(n));
    links.push(`<${url.toString()}>; rel="${rel}"`);
  };
  if (current > 1 && current - 1 <= Math.max(1, page.totalPages)) linkTo(current - 1, "prev");
  if (current < page.totalPages) linkTo(current + 1, "next");
  c.header("X-WP-Total", String(page.total));
  c.header("X-WP-TotalPages", String(page.totalPages));
  if (links.length > 0) c.header("Link", links.join(", "));
  c.header("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link");
  cacheHeaders(c);
  return c.json(page.items, 200);
}

function wpId(raw: string): number {
  // WordPress's routes only match digits (`(?P<id>[\d]+)`); anything else is no route at all.
  if (!/^\d{1,15}$/.test(raw))
    throw new WordPressError(404, "rest_no_route", "No route was found matching the URL and request method.");
  return Number(raw);
}

/** Renders WordPress errors in WordPress's shape; everything else goes to the app's problem+json handler. */
async function wordpress(c: Context<AppBindings>, run: () => Promise<Response>): Promise<never> {
  try {
    return (await run()) as never;
  } catch (error) {
    if (error instanceof WordPressError) {
      return c.json(error.toJSON(), error.status, { "Cache-Control": "no-store" }) as never;
    }
    throw error;
  }
}

function fieldsOf(c: Context<AppBindings>): { embed: boolean; fields?: string[] } {
  const params = new URL(c.req.url).searchParams;
  const raw = params.get("_fields");
  return {
    embed: params.has("_embed"),
    ...(raw
      ? {
          fields: raw
            .split(",")
            .map((f) => f.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

type Collection = "posts" | "pages" | "categories" | "tags" | "users";
const COLLECTIONS: Collection[] = ["posts", "pages", "categories", "tags", "users"];

function collectionRoutes(name: Collection) {
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

async function listOf(c: Context<AppBindings>, name: Collection): Promise<Response> {
  const params = new URL(c.req.url).searchParams;
  const ctx = wpContext(c);
  if (name === "posts" || name === "pages") {
    const query = parseWpQuery(params, "posts");
    return collectionResponse(c, await listWpContent(ctx, name === "posts" ? "post" : "page", query), query.page);
  }
  if (name === "users") {
    const query = parseWpQuery(params, "users");
    return collectionResponse(c, await listWpUsers(ctx, query), query.page);
  }
  const query = parseWpQuery(params, "terms");
  return collectionResponse(
    c,
    await listWpTerms(ctx, name === "categories" ? "category" : "post_tag", query),
    query.page,
  );
}

async function itemOf(c: Context<AppBindings>, name: Collection, rawId: string): Promise<Response> {
  const id = wpId(rawId);
  const ctx = wpContext(c);
  const { embed, fields } = fieldsOf(c);
  let body: unknown;
  if (name === "posts" || name === "pages")
    body = await getWpContent(ctx, name === "posts" ? "post" : "page", id, { embed, fields });
  else if (name === "users") body = await getWpUser(ctx, id, fields);
  else body = await getWpTerm(ctx, name === "categories" ? "category" : "post_tag", id, fields);
  cacheHeaders(c);
  return c.json(body, 200);
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
      const ctx = c.var.scope;
      const origin = new URL(c.req.url).origin;
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
      for (const name of COLLECTIONS) {
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
      cacheHeaders(c);
      return c.json(
        {
          name: ctx.tenant.name,
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

  for (const name of COLLECTIONS) {
    const routes = collectionRoutes(name);
    router.openapi(routes.list, async (c) => wordpress(c, () => listOf(c, name)));
    router.openapi(routes.item, async (c) => wordpress(c, () => itemOf(c, name, c.req.param("id"))));
  }

  // Anything else under /wp-json is WordPress's "no route" (404), in its shape.
  router.all("*", (c) =>
    c.json(
      {
        code: "rest_no_route",
        message: "No route was found matching the URL and request method.",
        data: { status: 404 },
      },
      404,
    ),
  );
  return router;
}

export const wordpressRouter = createWordPressRouter();
