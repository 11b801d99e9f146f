-- The platform operator's role (schema/roles.ts): NOLOGIN, no BYPASSRLS, owns nothing. Each environment grants it
-- to its own LOGIN role (PLATFORM_DATABASE_URL: the operator's login, `vitalis_platform_test`, `vitalis_platform_dev`).
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vitalis_platform') THEN
    CREATE ROLE vitalis_platform NOLOGIN NOBYPASSRLS;
  END IF;
END $$;--> statement-breakpoint
CREATE POLICY "tenants_platform" ON "tenants" AS PERMISSIVE FOR ALL TO "vitalis_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "tenant_hostnames_platform" ON "tenant_hostnames" AS PERMISSIVE FOR ALL TO "vitalis_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "users_platform_read" ON "users" AS PERMISSIVE FOR SELECT TO "vitalis_platform" USING (true);--> statement-breakpoint
CREATE POLICY "users_platform_update" ON "users" AS PERMISSIVE FOR UPDATE TO "vitalis_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "memberships_platform_read" ON "memberships" AS PERMISSIVE FOR SELECT TO "vitalis_platform" USING (true);--> statement-breakpoint
CREATE POLICY "audit_events_platform_read" ON "audit_events" AS PERMISSIVE FOR SELECT TO "vitalis_platform" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "audit_events_platform_append" ON "audit_events" AS PERMISSIVE FOR INSERT TO "vitalis_platform" WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "refresh_tokens_platform_revoke" ON "refresh_tokens" AS PERMISSIVE FOR UPDATE TO "vitalis_platform" USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "refresh_tokens_platform_read" ON "refresh_tokens" AS PERMISSIVE FOR SELECT TO "vitalis_platform" USING (true);--> statement-breakpoint
CREATE POLICY "outbox_platform" ON "outbox" AS PERMISSIVE FOR ALL TO "vitalis_platform" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "invitations_platform" ON "invitations" AS PERMISSIVE FOR ALL TO "vitalis_platform" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- Least privilege: what creating and listing tenants, their hostnames, suspending them and a global user disable
-- need, and no more. It reads no content, media, data subject or credential, and deletes nothing but a hostname.
GRANT USAGE ON SCHEMA public TO vitalis_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ("status") ON "tenants" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ("is_primary"), DELETE ON "tenant_hostnames" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT ("id", "email", "display_name", "status"), UPDATE ("status", "tokens_valid_after", "updated_at") ON "users" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT ("tenant_id", "user_id", "role", "status") ON "memberships" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT ("id", "tenant_id", "user_id", "revoked_at"), UPDATE ("revoked_at", "revoked_reason") ON "refresh_tokens" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ("revoked_at") ON "invitations" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT ("id"), INSERT ON "outbox" TO vitalis_platform;--> statement-breakpoint
GRANT SELECT, INSERT ON "audit_events" TO vitalis_platform;
