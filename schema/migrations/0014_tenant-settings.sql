CREATE POLICY "tenant_hostnames_primary_own" ON "tenant_hostnames" AS PERMISSIVE FOR UPDATE TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- A tenant's admins edit its settings: the name and the settings document of their own tenant (tenants_update_own),
-- and which of its hostnames is primary. Nothing else of either table.
GRANT UPDATE ("name", "settings") ON "tenants" TO vitalis_app;--> statement-breakpoint
GRANT UPDATE ("is_primary") ON "tenant_hostnames" TO vitalis_app;
