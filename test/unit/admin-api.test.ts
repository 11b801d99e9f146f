import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiError,
  contentApi,
  hasSession,
  onSessionEnded,
  onStepUp,
  request,
  setAccessToken,
} from "../../admin/src/api";

const problem = (status: number, code: string) =>
  new Response(
    JSON.stringify({ type: `urn:vitalis:problem:${code}`, title: code, status, code, detail: code, instance: "req-1" }),
    {
      status,
      headers: { "content-type": "application/problem+json" },
    },
  );

describe("admin API client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setAccessToken(null);
  });

  it("sends the in-memory bearer token, If-Match and an Idempotency-Key on transitions", async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      seen.push({ url, headers: init.headers as Record<string, string> });
      return new Response(JSON.stringify({ id: "p1", version: 4 }), { status: 200, headers: { etag: '"4"' } });
    });
    setAccessToken("tok-1");
    await contentApi("post").transition("p1", 3, { to: "in_review" });
    expect(seen[0]!.url).toBe("/api/posts/p1/transitions");
    expect(seen[0]!.headers).toMatchObject({ authorization: "Bearer tok-1", "if-match": '"3"' });
    expect(seen[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(globalThis.localStorage).toBeUndefined(); // nothing to persist to in Node; the module never touches storage
  });

  it("refreshes once on invalid_token (cookie, credentials included) and retries with the new token", async () => {
    const calls: Array<{ url: string; auth?: string; credentials?: string }> = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).authorization;
      calls.push({ url, auth, credentials: init.credentials });
      if (url === "/api/auth/refresh")
        return new Response(JSON.stringify({ access_token: "fresh", token_type: "Bearer", expires_in: 600 }), {
          status: 200,
        });
      if (auth === "Bearer stale") return problem(401, "invalid_token");
      return new Response(JSON.stringify({ ok: true }), { status: 200 });
    });
    setAccessToken("stale");
    const answer = await request<{ ok: boolean }>("GET", "/api/me");
    expect(answer.data.ok).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(["/api/me", "/api/auth/refresh", "/api/me"]);
    expect(calls[1]!.credentials).toBe("include");
    expect(calls[2]!.auth).toBe("Bearer fresh");
  });

  it("ends the session when the refresh fails", async () => {
    vi.stubGlobal("fetch", async (url: string) =>
      url === "/api/auth/refresh" ? problem(401, "invalid_refresh_token") : problem(401, "invalid_token"),
    );
    let ended = false;
    onSessionEnded(() => (ended = true));
    setAccessToken("stale");
    await expect(request("GET", "/api/me")).rejects.toBeInstanceOf(ApiError);
    expect(ended).toBe(true);
    expect(hasSession()).toBe(false);
  });

  it("asks for the second factor on step_up_required, then retries once", async () => {
    let first = true;
    vi.stubGlobal("fetch", async () => {
      if (first) {
        first = false;
        return problem(401, "step_up_required");
      }
      return new Response(JSON.stringify({ id: "u1" }), { status: 201 });
    });
    const prompt = vi.fn(async () => true);
    onStepUp(prompt);
    setAccessToken("tok");
    expect((await request<{ id: string }>("POST", "/api/uploads", { body: {} })).data.id).toBe("u1");
    expect(prompt).toHaveBeenCalledTimes(1);
  });

  it("turns problem+json and non-JSON failures into ApiErrors with a code", async () => {
    vi.stubGlobal("fetch", async (url: string) =>
      url.endsWith("a") ? problem(409, "publish_blocked") : new Response("<html>bad gateway</html>", { status: 502 }),
    );
    setAccessToken("tok");
    await expect(request("GET", "/a")).rejects.toMatchObject({ code: "publish_blocked", status: 409 });
    await expect(request("GET", "/b")).rejects.toMatchObject({ code: "internal_error", status: 502 });
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(request("GET", "/c")).rejects.toMatchObject({ code: "network_error" });
  });
});
