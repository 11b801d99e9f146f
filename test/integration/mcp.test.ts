/**
 * The MCP server at /mcp (workers/mcp, behind the main Worker's service binding), driven by the MCP SDK's own
 * client over Streamable HTTP: it lists the tools, drafts an article and analyses a text with an API token; the
 * REST API's rules hold through it (no `content:write`, no draft; no tool and no REST route publishes); without
 * an API token it answers 401.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let session = "";

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("mcp"));
  const editor = await createUser(admin, tenant, { roles: ["editor"] });
  session = (await signIn(worker, tenant.hostname, editor)).accessToken;
});
afterAll(async () => {
  await stopSuite({ worker, admin });
});

async function apiToken(scopes: string[]): Promise<string> {
  const res = await worker.fetch("/api/tokens", {
    host: tenant.hostname,
    ...jsonPost({ name: "agent", scopes, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, bearer(session)),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** The SDK's client, its requests dispatched to the Worker in workerd (the tenant's host, the edge's address). */
async function connect(token: string | null): Promise<Client> {
  const client = new Client({ name: "vitalis-test-agent", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`http://${tenant.hostname}/mcp`), {
    requestInit: token ? { headers: bearer(token) } : {},
    fetch: (url, init) => {
      const target = new URL(url instanceof Request ? url.url : String(url));
      return worker.fetch(`${target.pathname}${target.search}`, { ...(init as RequestInit), host: tenant.hostname });
    },
  });
  await client.connect(transport);
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };
const textOf = (result: unknown) => (result as ToolResult).content[0]!.text;

describe("the MCP server", () => {
  it("lists its tools, and none of them approves or publishes", async () => {
    const client = await connect(await apiToken(["content:read"]));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "analyze_text",
      "create_draft",
      "get_content",
      "list_categories",
      "search_content",
      "update_draft",
    ]);
    expect(tools.map((tool) => tool.name).join(" ")).not.toMatch(/publish|approve|transition|review/);
    await client.close();
  });

  it("drafts an article, updates it and reads it back, as the token's member", async () => {
    const token = await apiToken(["content:read", "content:write"]);
    const client = await connect(token);
    const created = (await client.callTool({
      name: "create_draft",
      arguments: {
        type: "post",
        locale: "pt-BR",
        title: "Hidratação no verão",
        bodyMarkdown: "Beba água ao longo do dia.",
      },
    })) as ToolResult;
    expect(created.isError).toBeFalsy();
    const draft = JSON.parse(textOf(created)) as { id: string; state: string; version: number };
    expect(draft.state).toBe("draft");

    const updated = (await client.callTool({
      name: "update_draft",
      arguments: { type: "post", id: draft.id, version: draft.version, title: "Hidratação no verão quente" },
    })) as ToolResult;
    expect(updated.isError, textOf(updated)).toBeFalsy();

    const read = JSON.parse(
      textOf(await client.callTool({ name: "get_content", arguments: { type: "post", id: draft.id } })),
    ) as { title: string; state: string };
    expect(read).toMatchObject({ title: "Hidratação no verão quente", state: "draft" });

    // The draft exists in the database, and the REST API logged the calls with the token.
    const { rows } = await admin.query<{ state: string }>("select state from content_items where id = $1", [draft.id]);
    expect(rows[0]?.state).toBe("draft");
    await client.close();
  });

  it("drafts with a service token: the author is the service account, not a person", async () => {
    const boss = await createUser(admin, tenant, { roles: ["admin"] });
    const adminSession = (await signIn(worker, tenant.hostname, boss)).accessToken;
    const account = await worker.fetch("/api/service-accounts", {
      host: tenant.hostname,
      ...jsonPost({ name: "Agente editorial" }, bearer(adminSession)),
    });
    expect(account.status).toBe(201);
    const { id: serviceId } = (await account.json()) as { id: string };
    const res = await worker.fetch("/api/tokens", {
      host: tenant.hostname,
      ...jsonPost(
        {
          name: "agent",
          scopes: ["content:read", "content:write"],
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
          serviceAccountId: serviceId,
        },
        bearer(adminSession),
      ),
    });
    expect(res.status).toBe(201);
    const client = await connect(((await res.json()) as { token: string }).token);
    const created = (await client.callTool({
      name: "create_draft",
      arguments: { type: "post", locale: "pt-BR", title: "Sono e memória", bodyMarkdown: "Dormir bem ajuda." },
    })) as ToolResult;
    expect(created.isError, textOf(created)).toBeFalsy();
    const draft = JSON.parse(textOf(created)) as { id: string };
    const { rows } = await admin.query<{ author_id: string }>("select author_id from content_items where id = $1", [
      draft.id,
    ]);
    expect(rows[0]?.author_id).toBe(serviceId);
    await client.close();
  });

  it("analyses a text without storing it", async () => {
    const client = await connect(await apiToken(["analysis:run"]));
    const before = await admin.query("select count(*)::int as n from content_analyses where tenant_id = $1", [
      tenant.id,
    ]);
    const result = (await client.callTool({
      name: "analyze_text",
      arguments: { locale: "pt-BR", text: "Tratamento com cura garantida, 100% sem riscos. CPF 529.982.247-25." },
    })) as ToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    const analysis = JSON.parse(textOf(result)) as {
      blocking: boolean;
      stages: { stage: string; output: { findings: { code: string }[] } }[];
    };
    expect(analysis.stages.map((stage) => stage.stage)).toEqual(
      expect.arrayContaining(["lgpd-analyzer", "medical-claims"]),
    );
    expect(analysis.blocking).toBe(true);
    const findings = (stage: string) => analysis.stages.find((s) => s.stage === stage)!.output.findings;
    expect(findings("lgpd-analyzer").length).toBeGreaterThan(0);
    expect(findings("medical-claims").length).toBeGreaterThan(0);
    const after = await admin.query("select count(*)::int as n from content_analyses where tenant_id = $1", [
      tenant.id,
    ]);
    expect(after.rows[0]).toEqual(before.rows[0]);
    await client.close();
  });

  it("offers the published items as resources, and nothing else", async () => {
    const create = async (title: string) => {
      const res = await worker.fetch("/api/posts", {
        host: tenant.hostname,
        ...jsonPost({ title, bodyMarkdown: `${title}.`, locale: "en" }, bearer(session)),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const published = await create("Published resource");
    const draft = await create("Draft resource");
    await admin.query("update content_items set state = 'published', published_at = now() where id = $1", [published]);
    const client = await connect(await apiToken(["content:read"]));
    const { resources } = await client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toContain(`vitalis://post/${published}`);
    expect(uris).not.toContain(`vitalis://post/${draft}`);
    const read = await client.readResource({ uri: `vitalis://post/${published}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id: published });
    await expect(client.readResource({ uri: `vitalis://post/${draft}` })).rejects.toThrow();
    await client.close();
  });

  it("refuses create_draft to a token without content:write, and writes nothing", async () => {
    const client = await connect(await apiToken(["content:read", "analysis:run"]));
    const result = (await client.callTool({
      name: "create_draft",
      arguments: { type: "post", locale: "en", title: "Refused draft zq", bodyMarkdown: "x" },
    })) as ToolResult;
    expect(result.isError).toBe(true);
    expect(JSON.parse(textOf(result))).toMatchObject({ status: 403, code: "insufficient_scope" });
    const { rows } = await admin.query("select 1 from content_items where title = 'Refused draft zq'");
    expect(rows).toHaveLength(0);
    await client.close();
  });

  it("an agent's token cannot publish through the REST API either", async () => {
    const token = await apiToken(["content:read", "content:write", "media:write", "analysis:run"]);
    const client = await connect(token);
    const draft = JSON.parse(
      textOf(
        await client.callTool({
          name: "create_draft",
          arguments: { type: "post", locale: "en", title: "Agent draft", bodyMarkdown: "Text." },
        }),
      ),
    ) as { id: string; version: number };
    await client.close();
    for (const to of ["in_review", "approved", "published"]) {
      const res = await worker.fetch(`/api/posts/${draft.id}/transitions`, {
        host: tenant.hostname,
        ...jsonPost({ to, expectedVersion: draft.version }, bearer(token)),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("token_route_refused");
    }
  });

  it("answers 401 without an API token, and to a person's session token", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    const headers = { accept: "application/json, text/event-stream" };
    const anonymous = await worker.fetch("/mcp", { host: tenant.hostname, ...jsonPost(initialize, headers) });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const withSession = await worker.fetch("/mcp", {
      host: tenant.hostname,
      ...jsonPost(initialize, { ...headers, ...bearer(session) }),
    });
    expect(withSession.status).toBe(401);
    await expect(connect(null)).rejects.toThrow();
  });
});
