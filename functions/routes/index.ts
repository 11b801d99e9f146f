import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../bindings";
import { allContentTypes } from "../content-types";
import { createTermRouter } from "./content/terms";
import { analysisRouter, textAnalysisRouter } from "./analysis";
import { authRouter } from "./auth";
import { createContentRouter } from "./content";
import { meRouter } from "./me";
import { tenantSettingsRouter } from "./tenant-settings";
import { searchRouter } from "./search";
import { siteRouter } from "./site";
import { usersRouter } from "./users";
import { membersRouter } from "./members";
import { wordpressRouter } from "./wp";
import { uploadsRouter } from "./uploads";
import { mediaRouter } from "./media";
import { privacyRouter } from "./privacy";
import { auditRouter } from "./audit";
import { complianceRouter } from "./compliance";
import { outboxRouter } from "./outbox";
import { accessLogsRouter } from "./access-logs";
import { breakGlassRouter } from "./break-glass";
import { incidentsRouter } from "./incidents";
import { tokensRouter } from "./tokens";
import { webhooksRouter } from "./webhooks";
import { accessLog } from "../middleware/access-log";
import { limitBody, KiB, MiB } from "../middleware/body-limit";
import { wellFormedJson } from "../middleware/well-formed-json";

/** A content write carries a Markdown body (at most 64,000 characters); every other API body is small JSON. */
const CONTENT_BODY_LIMIT = 1 * MiB;
const JSON_BODY_LIMIT = 16 * KiB;
/** Analysing a text takes a body as long as an item's. */
const TEXT_ANALYSIS_PATH = "/api/analysis/text";
/** The settings carry a privacy notice per locale (at most 16,000 characters each, shapes/tenant-settings.ts). */
const SETTINGS_BODY_LIMIT = 256 * KiB;
const SETTINGS_PATH = "/api/tenant/settings";

function writesContent(path: string): boolean {
  return (
    path === TEXT_ANALYSIS_PATH ||
    allContentTypes.some((spec) => path === spec.apiPath || path.startsWith(`${spec.apiPath}/`))
  );
}

/**
 * Mounts the resource routers behind authentication (see app.tsx for the order). One line per resource;
 * each router declares its routes' sensitivity with `protect()` (middleware/protect.ts).
 */
export function mountApiRoutes(app: OpenAPIHono<AppBindings>): void {
  // Request bodies are bounded before any route reads them (the public site and health checks take none).
  const contentLimit = limitBody(CONTENT_BODY_LIMIT);
  const jsonLimit = limitBody(JSON_BODY_LIMIT);
  const settingsLimit = limitBody(SETTINGS_BODY_LIMIT);
  // The access log first, so it records every answer below, refusals included (Marco Civil art. 15).
  app.use("*", accessLog());
  app.use("/api/*", (c, next) =>
    (writesContent(c.req.path) ? contentLimit : c.req.path === SETTINGS_PATH ? settingsLimit : jsonLimit)(c, next),
  );
  app.use("/wp-json/*", contentLimit);
  // Then their text: JSON that spells half a UTF-16 pair is refused before it can be stored altered.
  app.use("/api/*", wellFormedJson());
  app.use("/wp-json/*", wellFormedJson());
  app.route("/api", authRouter);
  app.route("/api", meRouter);
  app.route("/api", usersRouter);
  app.route("/api", tenantSettingsRouter);
  app.route("/api", membersRouter);
  app.route("/api", tokensRouter);
  // Each content type's admin API and its analysis, at the type's path (functions/content-types.ts).
  for (const spec of allContentTypes) {
    app.route(spec.apiPath, createContentRouter(spec.type));
    app.route(spec.apiPath, analysisRouter(spec.type));
  }
  // Categories are hierarchical (the medical specialties by default); tags are flat.
  app.route("/api/analysis", textAnalysisRouter);
  app.route("/api/categories", createTermRouter("category"));
  app.route("/api/tags", createTermRouter("tag"));
  app.route("/api/search", searchRouter);
  app.route("/wp-json", wordpressRouter);
  app.route("/api", uploadsRouter);
  app.route("/api", mediaRouter);
  app.route("/api", privacyRouter);
  app.route("/api", auditRouter);
  app.route("/api", complianceRouter);
  app.route("/api", outboxRouter);
  app.route("/api", accessLogsRouter);
  app.route("/api", breakGlassRouter);
  app.route("/api", incidentsRouter);
  app.route("/api", webhooksRouter);
  // The public site last: its catch-all answers an HTML 404 for everything the routes above do not serve
  // (API prefixes fall through to the app's problem+json 404).
  app.route("/", siteRouter);
}
