ALTER TABLE "tenants" ADD COLUMN "mfa_required_roles" text[] DEFAULT '{admin,medical_reviewer,compliance_officer}'::text[] NOT NULL;--> statement-breakpoint
CREATE POLICY "tenants_update_own" ON "tenants" AS PERMISSIVE FOR UPDATE TO "vitalis_app" USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- The Worker may change only the sign-in policy of a tenant, and only of its own (the policy above).
GRANT UPDATE ("mfa_required_roles") ON "tenants" TO vitalis_app;
