import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ContentType } from "../../../schema";
import type { AppBindings } from "../../bindings";
import { createRouter } from "../../lib/router";
import { createContent, getContent, listContent, setTrashed, updateContent } from "../../services/content/crud";
import type { ContentView } from "../../services/content/kernel";
import { compareRevisions, listRevisions, restoreRevision } from "../../services/content/revisions";
import { transitionContent } from "../../services/workflow";
import { etag, idempotentPost, parseIfMatch } from "./context";
import { contentRoutes } from "./content.routes";
import { mayReadPhi, requirePhiTrustFor } from "../shared/phi";
import { mailContextOf } from "../shared/mail";

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
    const page = await listContent(c.get("scope"), type, {
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
      includePhi: await mayReadPhi(c),
    });
    c.header("Cache-Control", "private, no-store");
    return c.json(page, 200);
  });

  router.openapi(routes.create, async (c) => {
    const body = c.req.valid("json");
    return idempotentPost(c, body, async () => itemResponse(await createContent(c.get("scope"), type, body), 201));
  });

  router.openapi(routes.get, async (c) => {
    await requirePhiTrustFor(c, type, c.req.valid("param").id);
    const view = await getContent(c.get("scope"), type, c.req.valid("param").id);
    c.header("ETag", etag(view.version));
    c.header("Cache-Control", "private, no-store");
    return c.json(view, 200);
  });

  router.openapi(routes.update, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: true })!;
    const view = await updateContent(c.get("scope"), type, c.req.valid("param").id, expected, c.req.valid("json"));
    c.header("ETag", etag(view.version));
    return c.json(view, 200);
  });

  router.openapi(routes.trash, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const view = await setTrashed(c.get("scope"), type, c.req.valid("param").id, {
      trashed: "trash",
      expectedVersion: expected,
    });
    c.header("ETag", etag(view.version));
    return c.json(view, 200);
  });

  router.openapi(routes.restore, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const id = c.req.valid("param").id;
    return idempotentPost(c, { id, expected }, async () => {
      const view = await setTrashed(c.get("scope"), type, id, { trashed: "restore", expectedVersion: expected });
      return itemResponse(view, 200);
    });
  });

  router.openapi(routes.transition, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: false });
    const id = c.req.valid("param").id;
    const body = c.req.valid("json");
    return idempotentPost(c, { id, expected, body }, async () => {
      const view = await transitionContent(c.get("scope"), type, id, body, expected, {
        origin: mailContextOf(c).origin,
      });
      return itemResponse(view, 200);
    });
  });

  router.openapi(routes.revisions, async (c) => {
    await requirePhiTrustFor(c, type, c.req.valid("param").id);
    const items = await listRevisions(c.get("scope"), type, c.req.valid("param").id);
    c.header("Cache-Control", "private, no-store");
    return c.json({ items }, 200);
  });

  router.openapi(routes.compare, async (c) => {
    const query = c.req.valid("query");
    await requirePhiTrustFor(c, type, c.req.valid("param").id);
    const comparison = await compareRevisions(c.get("scope"), type, c.req.valid("param").id, query.from, query.to);
    c.header("Cache-Control", "private, no-store");
    return c.json(comparison, 200);
  });

  router.openapi(routes.restoreRevision, async (c) => {
    const expected = parseIfMatch(c.req.header("if-match"), { required: true })!;
    const { id, revisionId } = c.req.valid("param");
    return idempotentPost(c, { id, revisionId, expected }, async () =>
      itemResponse(await restoreRevision(c.get("scope"), type, id, revisionId, expected), 200),
    );
  });

  return router;
}
