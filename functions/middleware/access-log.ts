import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { decodeJwt } from "jose";
import type { AppBindings } from "../bindings";
import { clientAddress, clientPort } from "../lib/client";
import { type AccessEntry, recordAccess } from "../services/access-logs";

/** What a sign-in route tells the access log about its attempt: the e-mail typed, and who it signed in. */
interface SignInAttempt {
  email: string | null;
  userId: string | null;
}
const signInAttempts = new WeakMap<Request, SignInAttempt>();

/**
 * Marks this request as a sign-in attempt (the password step, the second factor, a forced enrolment's first
 * code), so it is logged even though no bearer token names a user. Call it before the attempt, with the e-mail
 * typed if any, and again with the session once it succeeded; the access log keeps the e-mail only as a keyed
 * hash.
 */
export function noteSignInAttempt(
  c: Context<AppBindings>,
  attempt: { email?: string; session?: { access_token: string } },
): void {
  const known = signInAttempts.get(c.req.raw) ?? { email: null, userId: null };
  const sub = attempt.session ? decodeJwt(attempt.session.access_token).sub : undefined;
  signInAttempts.set(c.req.raw, { email: attempt.email ?? known.email, userId: sub ?? known.userId });
}

/**
 * The access log (Marco Civil art. 15; services/access-logs.ts): after the route has answered, a request made
 * with a valid access token, or marked as a sign-in attempt, becomes one entry: user, address, port, method,
 * the matched route's template (never the path with its ids, nor the query), the status and, for a request made
 * with an API token, the token's id (never its secret; the token's last use is stamped in the same write). It is written in
 * `waitUntil`, after the response, in one HTTP round trip; a failure to write is logged and never changes the
 * answer. A request refused for a bad token never gets here: it names no user.
 */
export function accessLog() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const at = new Date();
    await next();
    const scope = c.get("scope");
    const attempt = signInAttempts.get(c.req.raw);
    const userId = scope.actor.kind === "user" ? scope.actor.userId : (attempt?.userId ?? null);
    if (!attempt && scope.actor.kind !== "user") return;
    const entry: AccessEntry = {
      at,
      kind: attempt ? "sign_in" : "request",
      userId,
      email: attempt?.email ?? null,
      ip: clientAddress(c),
      port: clientPort(c),
      method: c.req.method,
      // The route that answered (or the last middleware, for a path no route serves): a template, never the path.
      route: routePath(c) || "*",
      status: c.res.status,
      requestId: scope.requestId,
      tokenId: scope.actor.kind === "user" ? (scope.actor.apiToken?.id ?? null) : null,
    };
    c.executionCtx.waitUntil(
      recordAccess(scope, [entry]).catch((error: unknown) =>
        c.get("logger").error("access log not written", { error }),
      ),
    );
  });
}
