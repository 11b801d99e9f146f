/**
 * Vitalis's MCP server (Model Context Protocol, Streamable HTTP transport) for AI agents, at `/mcp`.
 *
 * It holds no data and no policy of its own: each tool is one call to the main Worker's REST API through the `API`
 * service binding, carrying the caller's API token, on the host the caller reached (which names the tenant). So an
 * agent can do exactly what its token may do through the REST API: read content, draft, analyse a text; it never
 * sees PHI, never approves or publishes (no tool does, and the API refuses tokens the workflow's transitions), and
 * every call is scoped, trust-scored, audited and in the access log there.
 *
 * Stateless: every POST gets a new server and transport and no `Mcp-Session-Id` is issued, so any isolate can
 * answer any request (Workers give no session affinity) and nothing outlives the request. Answers are plain JSON
 * (`enableJsonResponse`): no tool streams. A standalone GET stream is refused (405), as the specification allows.
 */
import { StreamableHTTPTransport } from "@hono/mcp";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { Hono } from "hono";
import { z } from "zod";

interface Env {
  /** The main Worker (service binding): the REST API the tools call. */
  API: { fetch(request: Request): Promise<Response> };
}

const CONTENT_TYPES = ["post", "page"] as const;
type ContentType = (typeof CONTENT_TYPES)[number];
const API_PATH: Record<ContentType, string> = { post: "/api/posts", page: "/api/pages" };
const LOCALES = ["pt-BR", "en", "es"] as const;
/** What an agent may set: `phi` is refused to tokens by the API anyway, so it is not offered. */
const DRAFT_LEVELS = ["public", "professional", "restricted"] as const;

/** The caller's token: only API tokens (`vt_…`), never a person's session token, open the MCP server. */
const API_TOKEN_BEARER = /^Bearer (vt_[A-Za-z0-9_-]+)$/;

interface Caller {
  origin: string;
  authorization: string;
  /** The client address Cloudflare's edge set on the original request, passed on for the API's throttles. */
  clientIp: string | null;
  /**
   * The edge's `request.cf` of the original request (country, coordinates): the API's trust evaluation reads the
   * network signal from it, and a request without one fails closed at `restricted`.
   */
  cf: IncomingRequestCfProperties | undefined;
}

type ToolAnswer = { content: { type: "text"; text: string }[]; isError?: boolean };

/** One REST call on the caller's behalf; the answer (or the API's problem+json refusal) as the tool's result. */
async function callApi(
  env: Env,
  caller: Caller,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ToolAnswer> {
  const headers = new Headers({ authorization: caller.authorization, accept: "application/json", ...options.headers });
  if (caller.clientIp) headers.set("cf-connecting-ip", caller.clientIp);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  const response = await env.API.fetch(
    new Request(new URL(path, caller.origin), {
      method,
      headers,
      ...(caller.cf ? { cf: caller.cf } : {}),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    }),
  );
  const text = await response.text();
  return response.ok ? { content: [{ type: "text", text }] } : { content: [{ type: "text", text }], isError: true };
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

const draftFields = {
  title: z.string().min(1).max(300),
  bodyMarkdown: z.string().max(64_000).describe("The text, in Markdown."),
  excerpt: z.string().max(1_000).optional(),
  complianceLevel: z.enum(DRAFT_LEVELS).optional().describe("Who may read it once published (default public)."),
  categoryIds: z.array(z.uuid()).max(50).optional().describe("Ids from list_categories."),
  metaTitle: z.string().max(120).optional(),
  metaDescription: z.string().max(320).optional(),
};

/** A server with the tools and resources, answering for one caller. */
function buildServer(env: Env, caller: Caller): McpServer {
  const server = new McpServer(
    { name: "vitalis", version: "0.1.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );

  server.registerTool(
    "search_content",
    {
      title: "Search content",
      description: "Full-text search over the clinic's posts and pages that the token's member may read.",
      inputSchema: {
        query: z.string().min(1).max(200),
        locale: z.enum(LOCALES).optional(),
        type: z.enum(CONTENT_TYPES).optional(),
        limit: z.number().int().min(1).max(50).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    ({ query: q, locale, type, limit }) =>
      callApi(env, caller, "GET", `/api/search${query({ q, locale, type, limit })}`),
  );

  server.registerTool(
    "get_content",
    {
      title: "Get a post or page",
      description: "One item with its body, state and metadata.",
      inputSchema: { type: z.enum(CONTENT_TYPES), id: z.uuid() },
      annotations: { readOnlyHint: true },
    },
    ({ type, id }) => callApi(env, caller, "GET", `${API_PATH[type]}/${id}`),
  );

  server.registerTool(
    "create_draft",
    {
      title: "Create a draft",
      description:
        "Creates a draft post or page. Drafts go through the clinic's editorial and medical review; an agent cannot submit, approve or publish.",
      inputSchema: { type: z.enum(CONTENT_TYPES), locale: z.enum(LOCALES), ...draftFields },
    },
    ({ type, ...body }) => callApi(env, caller, "POST", API_PATH[type], { body }),
  );

  server.registerTool(
    "update_draft",
    {
      title: "Update a draft",
      description:
        "Changes a draft (or an item still in review). `version` is the item's current version, from get_content or create_draft.",
      inputSchema: {
        type: z.enum(CONTENT_TYPES),
        id: z.uuid(),
        version: z.number().int().min(1),
        title: draftFields.title.optional(),
        bodyMarkdown: draftFields.bodyMarkdown.optional(),
        excerpt: draftFields.excerpt,
        complianceLevel: draftFields.complianceLevel,
        categoryIds: draftFields.categoryIds,
        metaTitle: draftFields.metaTitle,
        metaDescription: draftFields.metaDescription,
      },
    },
    ({ type, id, version, ...patch }) =>
      callApi(env, caller, "PATCH", `${API_PATH[type]}/${id}`, {
        body: patch,
        headers: { "if-match": `"${version}"` },
      }),
  );

  server.registerTool(
    "analyze_text",
    {
      title: "Analyse a text",
      description:
        "Runs the compliance analysis (personal data, CFM medical-advertising claims, scientific references, SEO, publication artefacts) on a text without storing it, and answers each stage's findings.",
      inputSchema: {
        text: z.string().min(1).max(64_000),
        title: z.string().max(500).optional(),
        locale: z.enum(LOCALES),
      },
      annotations: { readOnlyHint: true },
    },
    (body) => callApi(env, caller, "POST", "/api/analysis/text", { body }),
  );

  server.registerTool(
    "list_categories",
    {
      title: "List categories",
      description: "The clinic's categories (the medical specialties among them), with their ids.",
      annotations: { readOnlyHint: true },
    },
    () => callApi(env, caller, "GET", "/api/categories"),
  );

  for (const type of CONTENT_TYPES) {
    server.registerResource(
      `published-${type}s`,
      new ResourceTemplate(`vitalis://${type}/{id}`, {
        list: async () => {
          const answer = await callApi(
            env,
            caller,
            "GET",
            `${API_PATH[type]}${query({ state: "published", limit: 100 })}`,
          );
          if (answer.isError) return { resources: [] };
          const page = JSON.parse(answer.content[0]!.text) as { items: { id: string; title: string }[] };
          return {
            resources: page.items.map((item) => ({
              uri: `vitalis://${type}/${item.id}`,
              name: item.title,
              mimeType: "application/json",
            })),
          };
        },
      }),
      { title: `Published ${type}s`, description: `The clinic's published ${type}s.`, mimeType: "application/json" },
      async (uri, { id }) => {
        const answer = await callApi(env, caller, "GET", `${API_PATH[type]}/${encodeURIComponent(String(id))}`);
        const item = answer.isError ? null : (JSON.parse(answer.content[0]!.text) as { state?: string });
        // Resources are the published items only; anything else reads as absent.
        if (!item || item.state !== "published") throw new Error(`No published ${type} at ${uri.href}`);
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: answer.content[0]!.text }] };
      },
    );
  }
  return server;
}

function unauthorized(): Response {
  return new Response(
    JSON.stringify({
      type: "urn:vitalis:problem:unauthenticated",
      title: "Authentication required",
      status: 401,
      code: "unauthenticated",
      detail: "Send an API token as `Authorization: Bearer vt_…`.",
    }),
    {
      status: 401,
      headers: {
        "content-type": "application/problem+json",
        "www-authenticate": 'Bearer realm="vitalis-mcp"',
        "cache-control": "no-store",
      },
    },
  );
}

const app = new Hono<{ Bindings: Env }>();

app.all("/mcp", async (c) => {
  const authorization = c.req.header("authorization") ?? "";
  if (!API_TOKEN_BEARER.test(authorization)) return unauthorized();
  if (c.req.method !== "POST") {
    // Stateless: no session to stream to or to end.
    return c.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null }, 405, {
      allow: "POST",
    });
  }
  const caller: Caller = {
    origin: new URL(c.req.url).origin,
    authorization,
    clientIp: c.req.header("cf-connecting-ip") ?? null,
    cf: c.req.raw.cf as IncomingRequestCfProperties | undefined,
  };
  const server = buildServer(c.env, caller);
  const transport = new StreamableHTTPTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    const response = await transport.handleRequest(c);
    return response ?? c.body(null, 202);
  } finally {
    c.executionCtx.waitUntil(server.close());
  }
});

app.notFound((c) => c.json({ code: "not_found" }, 404));

export default app;
