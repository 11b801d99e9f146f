import { beforeAll, describe, expect, it, vi } from "vitest";

// The bundled analysis plugins are WebAssembly modules only workerd can import; the document does not need them.
vi.mock("../../functions/plugin-host/registry.js", async () => {
  const { STAGE_ORDER } = await import("../../functions/plugin-host/manifest.js");
  return { STAGE_ORDER, pluginRegistry: () => [] };
});

import { protectionOf, requiresBearer } from "../../functions/middleware/protect.js";

type Operation = { security?: Record<string, string[]>[] };
type Document = { paths: Record<string, Record<string, Operation>> };
/** What the test reads of the Worker's app: its routing table and its answers. */
interface AppUnderTest {
  routes: { method: string; path: string; handler: unknown }[];
  request(path: string): Response | Promise<Response>;
}

// Imported by a computed name: the app's modules are typed against the Workers runtime, this file against Node.
const APP_MODULE = "../../functions/app.js";
const { createApp } = (await import(/* @vite-ignore */ APP_MODULE)) as { createApp: () => AppUnderTest };

let document: Document;
let app: AppUnderTest;

beforeAll(async () => {
  app = createApp();
  const res = await app.request("/api/openapi.json");
  expect(res.status).toBe(200);
  document = (await res.json()) as Document;
});

const declaresBearer = (operation: Operation | undefined): boolean =>
  (operation?.security ?? []).some((requirement) => "bearer" in requirement);

/** Every documented route that runs `protect()`, with what it requires, read from the app's own routing table. */
function protectedOperations(): { route: string; operation: Operation; bearer: boolean }[] {
  return app.routes.flatMap(({ method, path, handler }) => {
    const requirement = protectionOf(handler);
    const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const operation = document.paths[openApiPath]?.[method.toLowerCase()];
    if (!requirement || !operation) return [];
    return [{ route: `${method} ${openApiPath}`, operation, bearer: requiresBearer(requirement) }];
  });
}

describe("the OpenAPI document's security requirements", () => {
  it("finds the protected routes it checks (the account and user routes among them)", () => {
    const routes = protectedOperations().map((entry) => entry.route);
    expect(routes).toEqual(
      expect.arrayContaining(["GET /api/me", "POST /api/members/{userId}/suspend", "POST /api/auth/logout"]),
    );
  });

  it("declares bearer security on every operation whose protect() needs a signed-in user", () => {
    const undeclared = protectedOperations()
      .filter((entry) => entry.bearer && !declaresBearer(entry.operation))
      .map((entry) => entry.route);
    expect(undeclared).toEqual([]);
  });

  it("declares none on routes open to anyone", () => {
    const overDeclared = protectedOperations()
      .filter((entry) => !entry.bearer && declaresBearer(entry.operation))
      .map((entry) => entry.route);
    expect(overDeclared).toEqual([]);
    for (const [path, method] of [
      ["/api/auth/login", "post"],
      ["/api/auth/mfa", "post"],
      ["/.well-known/jwks.json", "get"],
      ["/healthz", "get"],
      ["/readyz", "get"],
    ] as const) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
      expect(declaresBearer(operation), `${method.toUpperCase()} ${path}`).toBe(false);
    }
  });
});
