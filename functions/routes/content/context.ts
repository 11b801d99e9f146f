import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import { AppError, BadRequestError } from "../../lib/errors";
import { type StoredResponse, withIdempotency } from "../../services/content/idempotency";

/** RFC 6585 §3: the change must name the version it edits (If-Match), so lost updates cannot happen. */
export class PreconditionRequiredError extends AppError {
  readonly status = 428;
  readonly code = "if_match_required";
  readonly title = "Precondition required";
  constructor(
    message = 'Send the version you are editing in If-Match (e.g. If-Match: "3"), as given by the ETag of your last read.',
  ) {
    super(message);
  }
}

/** RFC 9110 §13.1.1 If-Match with our version ETags: `"3"` (a weak `W/"3"` is accepted too). */
export function parseIfMatch(header: string | undefined, options: { required: boolean }): number | undefined {
  if (header === undefined || header.trim() === "") {
    if (options.required) throw new PreconditionRequiredError();
    return undefined;
  }
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new BadRequestError("invalid_if_match", 'If-Match must be the version ETag, e.g. "3".');
  return Number(match[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/**
 * Runs a POST's work under its Idempotency-Key, if the client sent one, and renders the (first) answer.
 * The answer may be a replay of a stored one, so it is a plain Response; it is typed `never` so the
 * OpenAPI router accepts it for whichever documented response it reproduces.
 */
export async function idempotentPost(
  c: Context<AppBindings>,
  body: unknown,
  run: () => Promise<StoredResponse>,
): Promise<never> {
  const key = c.req.header("idempotency-key");
  const principal = c.get("scope").actor;
  let result: StoredResponse & { replayed?: boolean };
  if (key === undefined || principal?.kind !== "user") {
    result = await run();
  } else {
    result = await withIdempotency(
      c.get("scope").redis,
      {
        tenantId: c.get("scope").tenant.id,
        userId: principal.userId,
        key,
        request: { method: c.req.method, path: c.req.path, body },
      },
      run,
    );
  }
  const headers: Record<string, string> = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...result.headers,
  };
  if (result.replayed) headers["Idempotent-Replayed"] = "true";
  return new Response(JSON.stringify(result.body), { status: result.status, headers }) as never;
}
