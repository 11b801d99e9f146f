import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppBindings } from "../../functions/bindings.js";
import { clientRequestIdOf, requestId } from "../../functions/middleware/request-id.js";

function buildApp() {
  const app = new Hono<AppBindings>();
  app.use("*", requestId());
  app.get("/", (c) => {
    c.get("logger").info("handled");
    return c.json({ requestId: c.get("requestId") });
  });
  return app;
}

describe("request ids", () => {
  afterEach(() => vi.restoreAllMocks());

  it("always answers with an id of its own, whatever the client sent", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const res = await buildApp().request("/", { headers: { "X-Request-Id": "client-trace-0001" } });
    const { requestId: id } = (await res.json()) as { requestId: string };
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.headers.get("x-request-id")).toBe(id);
    // The client's id is kept apart, on the log line only.
    const line = JSON.parse(String(log.mock.calls[0]?.[0])) as Record<string, unknown>;
    expect(line).toMatchObject({ requestId: id, clientRequestId: "client-trace-0001" });
  });

  it("logs no client id that is long or not plain", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    for (const sent of ["x".repeat(129), "<script>", 'a"b', "line\\nbreak"]) {
      await buildApp().request("/", { headers: { "X-Request-Id": sent } });
    }
    for (const [line] of log.mock.calls) expect(JSON.parse(String(line))).not.toHaveProperty("clientRequestId");
    expect(clientRequestIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBeDefined();
    expect(clientRequestIdOf("")).toBeUndefined();
    expect(clientRequestIdOf(undefined)).toBeUndefined();
  });
});
