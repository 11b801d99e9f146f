import { allContentTypes } from "../content-types";
import type { ApiTokenScope } from "../contract";

/**
 * The routes an API token may reach, each with the scope it needs (`METHOD route-template`). A route that is not
 * here is refused to every token, whatever its scopes (default deny): account and security operations (tokens,
 * members, second factors, passwords, break-glass), the workflow's transitions (an integration drafts; people
 * review, approve and publish), and everything declared at `phi`. `protect()` looks requests up here
 * (middleware/protect.ts); a HEAD request counts as its GET.
 */
function contentRoutes(): [string, ApiTokenScope][] {
  return allContentTypes.flatMap((spec): [string, ApiTokenScope][] => [
    [`GET ${spec.apiPath}`, "content:read"],
    [`GET ${spec.apiPath}/:id`, "content:read"],
    [`GET ${spec.apiPath}/:id/revisions`, "content:read"],
    [`GET ${spec.apiPath}/:id/revisions/compare`, "content:read"],
    [`GET ${spec.apiPath}/:id/analysis`, "content:read"],
    [`POST ${spec.apiPath}`, "content:write"],
    [`PATCH ${spec.apiPath}/:id`, "content:write"],
    [`POST ${spec.apiPath}/:id/analysis`, "analysis:run"],
  ]);
}

export const API_TOKEN_ROUTES: ReadonlyMap<string, ApiTokenScope> = new Map<string, ApiTokenScope>([
  ...contentRoutes(),
  ["POST /api/analysis/text", "analysis:run"],
  ["GET /api/categories", "content:read"],
  ["GET /api/categories/:id", "content:read"],
  ["GET /api/tags", "content:read"],
  ["GET /api/tags/:id", "content:read"],
  ["GET /api/search", "content:read"],
  // The media library: PHI media stay behind the `phi` requirement, which no token meets.
  ["GET /api/media", "content:read"],
  ["GET /api/media/:id", "content:read"],
  ["GET /api/media/:id/download", "content:read"],
  ["POST /api/uploads", "media:write"],
  ["POST /api/uploads/:id/complete", "media:write"],
  ["POST /api/uploads/:id/abort", "media:write"],
  // The public site and the WordPress API show a token what they would show its member signed in.
  ["GET /*", "content:read"],
  ["GET /wp-json", "content:read"],
  ...["categories", "tags", "users", ...allContentTypes.map((spec) => spec.wp.restBase)].flatMap(
    (base): [string, ApiTokenScope][] => [
      [`GET /wp-json/wp/v2/${base}`, "content:read"],
      [`GET /wp-json/wp/v2/${base}/:id`, "content:read"],
    ],
  ),
]);

/** The scope a token needs for this route, or null when no token may use it. */
export function apiTokenScopeFor(method: string, routePath: string): ApiTokenScope | null {
  const verb = method === "HEAD" ? "GET" : method;
  return API_TOKEN_ROUTES.get(`${verb} ${routePath}`) ?? null;
}
