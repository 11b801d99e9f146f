import { afterEach, describe, expect, it, vi } from "vitest";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { createLogger, redact } from "../../functions/lib/logging.js";

describe("log redaction", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["CPF formatted", "paciente CPF 529.982.247-25 internado", "529.982.247-25"],
    ["CPF bare", "cpf 52998224725", "52998224725"],
    ["CNS", "cartão 898 0010 0123 4567", "898 0010 0123 4567"],
    ["email", "contact maria.souza@example.com.br now", "maria.souza@example.com.br"],
    ["phone", "ligar (11) 98765-4321", "98765-4321"],
    ["bearer token", "Authorization: Bearer abc.def.ghi", "abc.def.ghi"],
    ["presigned signature", "https://s3/x?X-Amz-Signature=deadbeef&X-Amz-Expires=60", "deadbeef"],
  ])("removes %s", (_label, input, secret) => {
    expect(redact(input)).not.toContain(secret);
  });

  it("drops fields named like secrets and redacts nested strings", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    createLogger({ requestId: "r1" }).info("user signed in", {
      password: "hunter2",
      session: { refreshToken: "opaque", note: "email joao@example.com" },
    });
    const line = JSON.parse(String(spy.mock.calls[0]?.[0])) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", message: "user signed in", requestId: "r1", password: "[redacted]" });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|opaque|joao@example\.com/);
  });

  it("logs a failed query's statement and SQLSTATE but never its parameters", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "media_items_pkey"'), {
      code: "23505",
    });
    const failed = new DrizzleQueryError(
      'insert into "media_items" ("id", "filename") values ($1, $2)',
      ["7f0c", "raio-x Maria Aparecida Souza.png"],
      cause,
    );
    createLogger().error("request failed", { error: failed });
    const line = String(spy.mock.calls[0]?.[0]);
    expect(line).not.toContain("Maria Aparecida");
    expect(JSON.parse(line)).toMatchObject({
      error: {
        message: 'Failed query: insert into "media_items" ("id", "filename") values ($1, $2)',
        cause: { code: "23505", message: 'duplicate key value violates unique constraint "media_items_pkey"' },
      },
    });
  });

  it("leaves ordinary text alone", () => {
    expect(redact("published 3 articles on 2026-11-22")).toBe("published 3 articles on 2026-11-22");
  });
});
