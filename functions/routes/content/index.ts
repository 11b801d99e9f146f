import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ContentType } from "../../../schema";
import type { AppBindings } from "../../env";
import { createRouter } from "../../lib/router";
import {
  compareRevisions,
  type ContentView,
  createContent,
  getContent,
  listContent,
  listRevisions,
  restoreContent,
  restoreRevision,
  trashContent,
  updateContent,
} from "../../services/content";
import { transitionContent } from "../../services/workflow";
import { purgeSiteAfterCommit } from "../site/purge";
import { contentContext, etag, idempotentPost, parseIfMatch } from "./context";
import { contentRoutes } from "./content.routes";

function itemResponse(view: ContentView, status: 200 | 201) {
  return { status, body: view, headers: { ETag: etag(view.version) } };
}

/**
 * The admin API of one content type. Handlers parse, call a service with the request's dependencies, and
 * respond; authorization beyond the route's roles (own drafts, four eyes, visibility) is the services'.
 */
export function createContentRouter(type: ContentType): OpenAPIHono<AppBindings> {
  const routes = contentRoutes(type);
  const router = createRouter();

  router.openapi(routes.list, async (c) => {
    const query = c.req.valid("query");
    const page = await listContent(contentContext(c), type, {
      state: query.state,
      locale: query.locale,
      categoryId: query.category,
      tagId: query.tag,
      authorId: query.author,
      complianceLevel: query.complianceLevel,
      q: query.q,
      trashed: query.trashed === "true",
      cursor: query.cursor,
      limit: query.limit,
    });
    c.header("Cache-Control", "private, no-store");
    return c.json(page, 200);
  });

  router.openapi(routes.create, async (c) => {
    const body = c.req.valid("json");
    return idempotentPost(c, body, async () => itemResponse(await createContent(contentContext(c), type, body), 201));
  });

  router.openapi(routes.get, async (c) => {
    const view = await getContent(contentContext(c), type, c.req.valid("param").id);
    c.header("ETag", etag(view.version));
    c.header("Cache-Control", "private, no-store");
    return c.json(view, 200);
  });

  router.openapi(routes.update, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: true })!;
    const view = await updateContent(contentContext(c), type, c.req.valid("param").id, expected, c.req.valid("json"));
    c.header("ETag", etag(view.version));
    return c.json(view, 200);
  });

  router.openapi(routes.trash, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const view = await trashContent(contentContext(c), type, c.req.valid("param").id, expected);
    purgeSiteAfterCommit(c, view.id); // site purge (#7): a trashed item leaves the public site
    c.header("ETag", etag(view.version));
    return c.json(view, 200);
  });

  router.openapi(routes.restore, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const id = c.req.valid("param").id;
    return idempotentPost(c, { id, expected }, async () => {
      const view = await restoreContent(contentContext(c), type, id, expected);
      purgeSiteAfterCommit(c, view.id); // site purge (#7): a restored published item is public again
      return itemResponse(view, 200);
    });
  });

  router.openapi(routes.transition, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const id = c.req.valid("param").id;
    const body = c.req.valid("json");
    return idempotentPost(c, { id, expected, body }, async () => {
      const view = await transitionContent(contentContext(c), type, id, body, expected);
      purgeSiteAfterCommit(c, view.id); // site purge (#7): publish, unpublish, archive change public pages
      return itemResponse(view, 200);
    });
  });

  router.openapi(routes.revisions, async (c) => {
    const items = await listRevisions(contentContext(c), type, c.req.valid("param").id);
    c.header("Cache-Control", "private, no-store");
    return c.json({ items }, 200);
  });

  router.openapi(routes.compare, async (c) => {
    const query = c.req.valid("query");
    const comparison = await compareRevisions(contentContext(c), type, c.req.valid("param").id, query.from, query.to);
    c.header("Cache-Control", "private, no-store");
    return c.json(comparison, 200);
  });

  router.openapi(routes.restoreRevision, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: true })!;
    const { id, revisionId } = c.req.valid("param");
    return idempotentPost(c, { id, revisionId, expected }, async () =>
      itemResponse(await restoreRevision(contentContext(c), type, id, revisionId, expected), 200),
    );
  });

  return router;
}
