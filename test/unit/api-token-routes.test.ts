import { describe, expect, it, vi } from "vitest";

// The bundled analysis plugins are WebAssembly modules only workerd can import; the routing table does not need them.
vi.mock("../../functions/plugin-host/registry.js", async () => {
  const { STAGE_ORDER } = await import("../../functions/plugin-host/manifest.js");
  return { STAGE_ORDER, pluginRegistry: () => [] };
});

import { API_TOKEN_ROUTES, apiTokenScopeFor } from "../../functions/middleware/api-token-routes.js";
import { protectionOf } from "../../functions/middleware/protect.js";

interface AppUnderTest {
  routes: { method: string; path: string; handler: unknown }[];
}
// Imported by a computed name: the app's modules are typed against the Workers runtime, this file against Node.
const APP_MODULE = "../../functions/app.js";
const { createApp } = (await import(/* @vite-ignore */ APP_MODULE)) as { createApp: () => AppUnderTest };
const app = createApp();

describe("the API token route table", () => {
  it("names only routes the app serves, so a renamed route cannot silently fall out of it", () => {
    // A middleware for every method (the site's trust check, `ALL /*`) serves GET too.
    const served = new Set(app.routes.map((route) => `${route.method === "ALL" ? "GET" : route.method} ${route.path}`));
    const unknown = [...API_TOKEN_ROUTES.keys()].filter((key) => !served.has(key));
    expect(unknown).toEqual([]);
  });

  it("opens no route declared at `phi` and none of the account, token or workflow routes", () => {
    const phi = app.routes
      .filter((route) => protectionOf(route.handler)?.sensitivity === "phi")
      .map((route) => `${route.method} ${route.path}`);
    expect(phi.length).toBeGreaterThan(0);
    expect(phi.filter((key) => API_TOKEN_ROUTES.has(key))).toEqual([]);
    for (const key of [
      "POST /api/tokens",
      "GET /api/tokens",
      "DELETE /api/tokens/:id",
      "GET /api/me",
      "POST /api/me/password",
      "POST /api/me/mfa/enrol",
      "POST /api/break-glass",
      "GET /api/members",
      "POST /api/posts/:id/transitions",
      "GET /api/privacy/subjects",
      "GET /api/audit/events",
    ]) {
      expect(API_TOKEN_ROUTES.has(key), key).toBe(false);
    }
  });

  it("treats HEAD as GET and refuses what it does not list", () => {
    expect(apiTokenScopeFor("HEAD", "/api/posts")).toBe("content:read");
    expect(apiTokenScopeFor("POST", "/api/posts")).toBe("content:write");
    expect(apiTokenScopeFor("DELETE", "/api/posts/:id")).toBeNull();
    expect(apiTokenScopeFor("GET", "/api/nothing")).toBeNull();
  });
});
