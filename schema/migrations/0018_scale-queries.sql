CREATE INDEX "audit_events_tenant_action_idx" ON "audit_events" USING btree ("tenant_id","action","seq");--> statement-breakpoint
CREATE INDEX "audit_events_tenant_actor_idx" ON "audit_events" USING btree ("tenant_id","actor_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_tenant_target_idx" ON "audit_events" USING btree ("tenant_id","target_type","target_id","seq");--> statement-breakpoint
CREATE INDEX "content_items_public_type_idx" ON "content_items" USING btree ("tenant_id","type","published_at" DESC NULLS LAST,"wp_id" DESC NULLS LAST) WHERE state = 'published' and trashed_at is null;--> statement-breakpoint
CREATE INDEX "content_items_public_locale_idx" ON "content_items" USING btree ("tenant_id","locale","published_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE state = 'published' and trashed_at is null;--> statement-breakpoint
-- Full-text search under row-level security. `@@` is not LEAKPROOF, so PostgreSQL never evaluates it before
-- a policy's qual: for the Worker's role the GIN index is never used and every search reads the whole
-- tenant. This function runs as its owner (who bypasses row-level security: a superuser, a BYPASSRLS role,
-- on Neon the project's owner through neon_superuser), so the planner may use the index; it enforces the
-- tenant itself, from the same setting the policies read, and returns only ids and ranks. Callers join back
-- to content_items under their own policies and visibility rules. Only the Worker's role may call it.
CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public;--> statement-breakpoint
DROP INDEX IF EXISTS "content_items_search_idx";--> statement-breakpoint
CREATE INDEX "content_items_tenant_search_idx" ON "content_items" USING gin ("tenant_id", "search_vector");--> statement-breakpoint
CREATE OR REPLACE FUNCTION vitalis_search_content(query tsquery) RETURNS TABLE (id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
  SELECT c.id, ts_rank(c.search_vector, query)
  FROM public.content_items c
  WHERE c.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
    AND c.search_vector @@ query
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION vitalis_search_content(tsquery) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION vitalis_search_content(tsquery) TO vitalis_app;--> statement-breakpoint
DO $$
DECLARE bypasses boolean;
BEGIN
  SELECT rolsuper OR rolbypassrls INTO bypasses FROM pg_roles WHERE rolname = current_user;
  IF NOT bypasses AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'neon_superuser') THEN
    bypasses := pg_has_role(current_user, 'neon_superuser', 'MEMBER');
  END IF;
  IF NOT bypasses THEN
    RAISE WARNING 'vitalis_search_content is owned by %, which does not bypass row-level security: search finds nothing until a role that does owns it', current_user;
  END IF;
END $$;
