import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponse } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { createTerm, deleteTerm, getTerm, listTerms, type Taxonomy, updateTerm } from "../../services/content/taxonomy";
import { idempotentPost } from "./context";
import { contentProblems, idempotencyHeader, idParams, slugSchema, termSchema } from "./content.schemas";

const read: ProtectOptions = { sensitivity: "public", action: "read" };
const manage: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin", "editor"] };

/** Categories (with `parentId`) and tags share one router shape; `.strict()` refuses unknown fields. */
export function createTermRouter(taxonomy: Taxonomy): OpenAPIHono<AppBindings> {
  const tag = taxonomy === "category" ? "Categories" : "Tags";
  const baseFields = {
    name: z.string().trim().min(1).max(200),
    slug: slugSchema,
    description: z.string().max(2_000),
  };
  // Only categories have a hierarchy: for tags `parentId` is refused like any unknown field.
  const fields = taxonomy === "category" ? { ...baseFields, parentId: z.uuid().nullable() } : baseFields;
  const createBody = z.object(fields).partial().required({ name: true }).strict() as z.ZodType<{
    name: string;
    slug?: string;
    description?: string;
    parentId?: string | null;
  }>;
  const updateBody = z
    .object(fields)
    .partial()
    .strict()
    .refine((body) => Object.keys(body).length > 0, {
      message: "name at least one field to change",
    }) as z.ZodType<{ name?: string; slug?: string; description?: string; parentId?: string | null }>;
  const conflict = problemResponse("The slug is taken.");

  const routes = {
    list: protectedRoute({
      method: "get",
      path: "/",
      tags: [tag],
      summary: `List ${tag.toLowerCase()}`,
      protect: read,
      responses: { 200: jsonResponse(z.object({ items: z.array(termSchema) }), `All ${tag.toLowerCase()}.`) },
    }),
    get: protectedRoute({
      method: "get",
      path: "/{id}",
      tags: [tag],
      summary: `Read one ${taxonomy}`,
      protect: read,
      request: { params: idParams },
      responses: { 200: jsonResponse(termSchema, `The ${taxonomy}.`), ...contentProblems },
    }),
    create: protectedRoute({
      method: "post",
      path: "/",
      tags: [tag],
      summary: `Create a ${taxonomy} (editors and admins)`,
      protect: manage,
      request: { headers: idempotencyHeader, body: jsonBody(createBody) },
      responses: { 201: jsonResponse(termSchema, `The new ${taxonomy}.`), 409: conflict, ...contentProblems },
    }),
    update: protectedRoute({
      method: "patch",
      path: "/{id}",
      tags: [tag],
      summary: `Change a ${taxonomy} (editors and admins)`,
      protect: manage,
      request: { params: idParams, body: jsonBody(updateBody) },
      responses: { 200: jsonResponse(termSchema, `The ${taxonomy} as saved.`), 409: conflict, ...contentProblems },
    }),
    remove: protectedRoute({
      method: "delete",
      path: "/{id}",
      tags: [tag],
      summary: `Delete a ${taxonomy}; content filed under it loses it (editors and admins)`,
      protect: manage,
      request: { params: idParams },
      responses: {
        200: jsonResponse(z.object({ deleted: z.literal(true), detachedFrom: z.number().int() }), "Deleted."),
        ...contentProblems,
      },
    }),
  };

  const router = createRouter();
  router.openapi(routes.list, async (c) => c.json({ items: await listTerms(c.get("scope"), taxonomy) }, 200));
  router.openapi(routes.get, async (c) =>
    c.json(await getTerm(c.get("scope"), taxonomy, c.req.valid("param").id), 200),
  );
  router.openapi(routes.create, async (c) => {
    const body = c.req.valid("json");
    return idempotentPost(c, body, async () => ({
      status: 201,
      body: await createTerm(c.get("scope"), taxonomy, body),
      headers: {},
    }));
  });
  router.openapi(routes.update, async (c) =>
    c.json(await updateTerm(c.get("scope"), taxonomy, c.req.valid("param").id, c.req.valid("json")), 200),
  );
  router.openapi(routes.remove, async (c) =>
    c.json(await deleteTerm(c.get("scope"), taxonomy, c.req.valid("param").id), 200),
  );
  return router;
}
