import { describe, expect, it } from "vitest";
import { isLivenessProbe, livenessResponse } from "../../functions/routes/health/liveness";

describe("the liveness fast path", () => {
  it("recognises GET /healthz exactly, on any host", () => {
    expect(isLivenessProbe(new Request("https://clinic.example/healthz"))).toBe(true);
    expect(isLivenessProbe(new Request("http://127.0.0.1:8787/healthz"))).toBe(true);
  });

  it("leaves every other request to the app", () => {
    for (const url of [
      "https://clinic.example/healthz/",
      "https://clinic.example/healthz?x=1",
      "https://clinic.example/healthzz",
      "https://clinic.example/api/healthz",
      "https://healthz/",
      "https://clinic.example/pt-br/healthz",
    ])
      expect(isLivenessProbe(new Request(url)), url).toBe(false);
    expect(isLivenessProbe(new Request("https://clinic.example/healthz", { method: "HEAD" }))).toBe(false);
    expect(isLivenessProbe(new Request("https://clinic.example/healthz", { method: "POST" }))).toBe(false);
  });

  it("answers ok, never stored, with the security headers and a fresh request id each time", async () => {
    const [first, second] = [livenessResponse(), livenessResponse()];
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: "ok" });
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(first.headers.get("strict-transport-security")).toMatch(/max-age=\d{8}/);
    expect(first.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));
  });
});
