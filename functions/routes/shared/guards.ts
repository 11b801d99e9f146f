/** Route guards that several route folders share; route folders never import each other. */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Role } from "../../../schema/memberships";
import type { AppBindings } from "../../bindings";
import { UnauthorizedError } from "../../lib/errors";
import type { AccessAction } from "../../lib/actor";
import { protect } from "../../middleware/protect";
import type { MediaSensitivity } from "../../services/media";
import { requestedUploadSensitivity } from "../../services/uploads";

/**
 * The sensitivity of an upload or media route depends on what it touches: a DICOM study or a patient's
 * photo is PHI, an article illustration is not. Rather than declaring every such route `phi` (which would
 * demand MFA to upload a stock photo) or `restricted` (which would let a password-only session take a
 * patient's study or record), the route resolves the sensitivity first — from the stored row for anything
 * that exists, from the body only when creating an upload — and then runs the same `protect()` it would
 * have declared: `phi` for PHI and for anything it cannot resolve (fail closed), `restricted` otherwise.
 * One trust evaluation per request either way; PHI reads count against the daily PHI read cap.
 */
export function protectBySensitivity(options: {
  action: AccessAction;
  roles: Role[];
  resolve: (c: Context<AppBindings>) => Promise<MediaSensitivity | null>;
}): MiddlewareHandler<AppBindings> {
  const phi = protect({ sensitivity: "phi", action: options.action, roles: options.roles });
  const restricted = protect({ sensitivity: "restricted", action: options.action, roles: options.roles });
  return createMiddleware<AppBindings>(async (c, next) => {
    // Nothing is looked up for anonymous callers.
    if (c.get("scope").actor.kind !== "user") throw new UnauthorizedError();
    const sensitivity = await options.resolve(c).catch(() => null);
    const guard = sensitivity === "restricted" ? restricted : phi;
    return guard(c, next);
  });
}

/**
 * The sensitivity of the upload a JSON body asks for (hono caches the parsed body, so the validator reads
 * the same one): its kind, and whether it names a data subject — an image of a patient is PHI from the start.
 */
export async function uploadBodySensitivity(c: Context<AppBindings>): Promise<MediaSensitivity | null> {
  const body = (await c.req.json().catch(() => null)) as { kind?: unknown; subjectId?: unknown } | null;
  const kind = body?.kind;
  if (kind !== "dicom" && kind !== "image" && kind !== "document") return null;
  // Any subject at all counts (the validator has not run yet): fail closed.
  return requestedUploadSensitivity(kind, body?.subjectId !== undefined && body.subjectId !== null);
}
