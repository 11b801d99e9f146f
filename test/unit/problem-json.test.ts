import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError } from "../../functions/lib/errors.js";
import { problemResponse, toAppError } from "../../functions/lib/problem.js";
import { createRouter } from "../../functions/lib/router.js";
import { requestId } from "../../functions/middleware/request-id.js";

// A small app built from the same factories the Worker uses, exercised through `app.request()`.
function buildApp() {
  const app = createRouter();
  app.use("*", requestId());
  const createPatient = createRoute({
    method: "post",
    path: "/things",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z.object({ title: z.string().min(3), count: z.number().int().positive() }).strict(),
          },
        },
      },
    },
    responses: { 201: { description: "created" } },
  });
  app.openapi(createPatient, (c) => c.json({ ok: true }, 201) as never);
  app.get("/conflict", () => {
    throw new ConflictError("version_conflict", "Someone else saved first.", { extensions: { currentVersion: 7 } });
  });
  app.get("/boom", () => {
    throw new Error("database password=hunter2 at db.internal:5432");
  });
  app.onError((error, c) => problemResponse(c, toAppError(error)));
  return app;
}

describe("problem+json errors", () => {
  it("answers invalid input with 422 naming each failing field, without echoing values", async () => {
    const res = await buildApp().request("/things", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "x", count: -1, role: "admin", cpf: "123.456.789-09" }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    const body = (await res.json()) as { code: string; errors: Array<{ path: string }> };
    expect(body.code).toBe("validation_failed");
    expect(body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["json.title", "json.count"]));
    // Unknown fields are refused, not silently dropped (mass assignment).
    expect(JSON.stringify(body.errors)).toMatch(/role|cpf|unrecognized/i);
    expect(JSON.stringify(body)).not.toContain("123.456.789-09");
  });

  it("keeps a known error's status, code, detail and extensions", async () => {
    const res = await buildApp().request("/conflict");
    expect(res.status).toBe(409);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: "urn:vitalis:problem:version_conflict",
      title: "Conflict",
      status: 409,
      code: "version_conflict",
      detail: "Someone else saved first.",
      currentVersion: 7,
    });
    expect(body.instance).toBe(res.headers.get("x-request-id"));
  });

  it("turns an unknown error into a generic 500 that leaks nothing", async () => {
    const res = await buildApp().request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/hunter2|db\.internal|at \w+/);
    expect(JSON.parse(text)).toMatchObject({ code: "internal_error", status: 500 });
  });

  it("hides the message of errors that are not public", () => {
    const error = new ForbiddenError();
    expect(error.expose).toBe(true);
    expect(toAppError(new Error("secret")).expose).toBe(false);
  });
});
