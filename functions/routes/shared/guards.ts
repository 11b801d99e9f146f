/** Route guards that several route folders share; route folders never import each other. */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Role } from "../../../schema/memberships";
import type { UploadKind } from "../../../schema/uploads";
import type { AppBindings } from "../../bindings";
import { UnauthorizedError } from "../../lib/errors";
import type { AccessAction } from "../../lib/actor";
import { protect } from "../../middleware/protect";

/**
 * The sensitivity of an upload or media route depends on what it touches: a DICOM study is PHI, an
 * article illustration is not. Rather than declaring every such route `phi` (which would demand MFA to
 * upload a stock photo) or `restricted` (which would let a password-only session take a patient's study),
 * the route resolves the kind first — from the body, or from the stored row — and then runs the same
 * `protect()` it would have declared: `phi` for DICOM and for anything it cannot resolve (fail closed),
 * `restricted` for images and documents. One trust evaluation per request either way.
 */
export function protectByKind(options: {
  action: AccessAction;
  roles: Role[];
  resolveKind: (c: Context<AppBindings>) => Promise<UploadKind | null>;
}): MiddlewareHandler<AppBindings> {
  const phi = protect({ sensitivity: "phi", action: options.action, roles: options.roles });
  const restricted = protect({ sensitivity: "restricted", action: options.action, roles: options.roles });
  return createMiddleware<AppBindings>(async (c, next) => {
    // Nothing is looked up for anonymous callers.
    if (c.var.scope.actor.kind !== "user") throw new UnauthorizedError();
    const kind = await options.resolveKind(c).catch(() => null);
    const guard = kind === "image" || kind === "document" ? restricted : phi;
    return guard(c, next);
  });
}

/** The kind named in a JSON body (hono caches the parsed body, so the validator reads the same one). */
export async function kindFromBody(c: Context<AppBindings>): Promise<UploadKind | null> {
  const body = (await c.req.json().catch(() => null)) as { kind?: unknown } | null;
  const kind = body?.kind;
  return kind === "dicom" || kind === "image" || kind === "document" ? kind : null;
}
