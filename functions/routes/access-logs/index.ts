import { type RouteHandler, z } from "@hono/zod-openapi";
import { ACCESS_LOG_KINDS } from "../../../schema/access-logs";
import type { AppBindings } from "../../bindings";
import { problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { exportAccessLogsCsv, listAccessLogs } from "../../services/access-logs";

// Marco Civil art. 15 §§ 1–3: the logs are kept under secrecy and handed over on a court order; inside the
// clinic only the encarregado (LGPD art. 41, our compliance_officer) reads them. They name people and
// addresses, not health data: restricted, not PHI.
const complianceOfficers: ProtectOptions = {
  sensitivity: "restricted",
  action: "read",
  roles: ["compliance_officer"],
};

const accessLogEntrySchema = z
  .object({
    id: z.uuid(),
    at: z.string(),
    kind: z.enum(ACCESS_LOG_KINDS),
    userId: z.uuid().nullable(),
    emailHash: z.string().nullable(),
    ip: z.string(),
    port: z.number().int().nullable(),
    method: z.string(),
    route: z.string(),
    status: z.number().int(),
    requestId: z.string().nullable(),
    tokenId: z.uuid().nullable().openapi({ description: "The API token the request was made with, if any." }),
  })
  .openapi("AccessLogEntry");

const accessLogPageSchema = z
  .object({ entries: z.array(accessLogEntrySchema), nextCursor: z.string().nullable() })
  .openapi("AccessLogPage");

const listRoute = protectedRoute({
  method: "get",
  path: "/access-logs",
  tags: ["Compliance"],
  summary:
    "Access logs of a period (Marco Civil art. 15), oldest first, by user id or e-mail; as CSV with `Accept: text/csv` or `format=csv` (compliance officers; every read is audited).",
  protect: complianceOfficers,
  request: {
    query: z
      .object({
        from: z.iso.datetime({ offset: true }),
        to: z.iso.datetime({ offset: true }),
        user: z.string().trim().min(1).max(320).optional(),
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        format: z.enum(["json", "csv"]).optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: "A page of entries (JSON), or the whole period (CSV, streamed).",
      content: {
        "application/json": { schema: accessLogPageSchema },
        "text/csv": { schema: z.string() },
      },
    },
    ...problemResponses(400, 401, 403, 422),
  },
});

/** CSV when asked by `format=csv`, or by an Accept header that names text/csv before (or without) JSON. */
function wantsCsv(format: "json" | "csv" | undefined, accept: string | undefined): boolean {
  if (format) return format === "csv";
  return /\btext\/csv\b/i.test(accept ?? "") && !/\bapplication\/json\b/i.test(accept ?? "");
}

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  const query = c.req.valid("query");
  const filters = { from: new Date(query.from), to: new Date(query.to), user: query.user };
  c.header("Cache-Control", "no-store");
  if (wantsCsv(query.format, c.req.header("accept"))) {
    const stream = await exportAccessLogsCsv(c.get("scope"), filters);
    const day = (iso: string) => iso.slice(0, 10);
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="access-logs-${day(filters.from.toISOString())}-${day(filters.to.toISOString())}.csv"`,
    });
  }
  return c.json(await listAccessLogs(c.get("scope"), { ...filters, cursor: query.cursor, limit: query.limit }), 200);
};

export const accessLogsRouter = createRouter().openapi(listRoute, listHandler);
