import type { Bindings, Config, ServiceBinding } from "./env";
import type { Logger } from "./lib/logging";
import type { PlatformScope, Scope } from "./scope";
import type { AccessClaims, SiteSessionClaims } from "./services/identity/tokens";
import type { TrustResult } from "./services/trust";

/**
 * Per-request values set by middleware (functions/middleware). Everything a service needs travels in
 * `scope`; the rest is what middleware tells each other about the request itself.
 */
export interface Variables {
  requestId: string;
  logger: Logger;
  config: Config;
  /** The request's scope: clients, tenant, actor, audit and after-commit effects (functions/scope.ts). */
  scope: Scope;
  /** The verified access token's claims, when the request carried one. */
  accessClaims: AccessClaims | undefined;
  /** The verified site session's claims, when a site page's request carried a valid session cookie. */
  siteSession: SiteSessionClaims | undefined;
  /** The platform operator's scope, on `/api/platform/*` only (routes/platform), in place of a tenant's. */
  platform: PlatformScope;
  /** The trust evaluation of this request, set by `protect()`. */
  trust: TrustResult | undefined;
}

/** The Worker's bindings: configuration (env.ts), and the Workers it calls through service bindings. */
export type WorkerBindings = Bindings & {
  /** The MCP server's Worker (workers/mcp): `/mcp` is forwarded to it as it came. */
  MCP?: { fetch(request: Request): Promise<Response> };
  /** The image resizer Worker (workers/image-resizer): the originals of public images are sent to it. */
  IMAGE_RESIZER?: ServiceBinding;
};

export interface AppBindings {
  Bindings: WorkerBindings;
  Variables: Variables;
}
