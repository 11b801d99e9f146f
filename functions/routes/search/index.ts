import { z } from "@hono/zod-openapi";
import { contentLocales } from "../../../schema";
import { CONTENT_TYPES } from "../../contract";
import { createRouter } from "../../lib/router";
import { protectedRoute } from "../../middleware/protect";
import { searchContent, searchHitSchema } from "../../services/content/search";
import { mayReadPhi } from "../shared/phi";

const hitSchema = searchHitSchema.openapi("SearchHit");

const search = protectedRoute({
  method: "get",
  path: "/",
  tags: ["Search"],
  summary: "Ranked full-text search (accent-insensitive, per-language stemming) over what the caller may see",
  protect: { sensitivity: "public", action: "read" },
  request: {
    query: z.object({
      q: z.string().trim().min(1).max(200),
      locale: z.enum(contentLocales).optional(),
      type: z.enum(CONTENT_TYPES).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
      offset: z.coerce.number().int().min(0).max(10_000).optional(),
    }),
  },
  responses: {
    200: {
      description: "Hits, best first.",
      content: { "application/json": { schema: z.object({ hits: z.array(hitSchema) }) } },
    },
  },
});

/** `/api/search`. */
export const searchRouter = createRouter().openapi(search, async (c) => {
  const query = c.req.valid("query");
  const result = await searchContent(c.get("scope"), { ...query, includePhi: await mayReadPhi(c) });
  c.header("Cache-Control", "private, no-store");
  return c.json(result, 200);
});
