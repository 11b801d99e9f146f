CREATE TABLE "password_resets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "password_resets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "password_resets" ADD CONSTRAINT "password_resets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "password_resets_token_idx" ON "password_resets" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "password_resets_user_idx" ON "password_resets" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE POLICY "password_resets_tenant_isolation" ON "password_resets" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER POLICY "users_read" ON "users" TO vitalis_app USING (exists (select 1 from memberships m where m.user_id = users.id and m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) or exists (select 1 from content_authors a where a.user_id = users.id and a.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) or users.xmin = pg_current_xact_id_if_assigned()::xid or exists (select 1 from invitations i where i.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid and i.email = users.email and i.accepted_at is not null and i.xmin = pg_current_xact_id_if_assigned()::xid));--> statement-breakpoint
ALTER POLICY "memberships_attach" ON "memberships" TO vitalis_app WITH CHECK (exists (select 1 from memberships m where m.user_id = memberships.user_id and m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) or exists (select 1 from users u where u.id = memberships.user_id and u.xmin = pg_current_xact_id_if_assigned()::xid) or exists (select 1 from invitations i where i.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid and i.accepted_by = memberships.user_id and memberships.role = any(i.roles) and i.xmin = pg_current_xact_id_if_assigned()::xid));--> statement-breakpoint
ALTER TABLE "password_resets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The Worker issues and spends reset tokens; it never deletes them (the rows are the trail of who asked).
GRANT SELECT, INSERT, UPDATE ON "password_resets" TO vitalis_app;
