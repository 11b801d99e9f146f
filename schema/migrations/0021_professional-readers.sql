CREATE TABLE "professional_registrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"council" text NOT NULL,
	"council_number" text NOT NULL,
	"council_uf" text NOT NULL,
	"consent_version" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "professional_registrations_council_check" CHECK (council in ('CRM', 'CRO', 'CRF', 'COREN', 'CRP', 'CRN', 'CREFITO'))
);
--> statement-breakpoint
ALTER TABLE "professional_registrations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "professional_credentials" ADD COLUMN "council" text DEFAULT 'CRM' NOT NULL;--> statement-breakpoint
ALTER TABLE "professional_registrations" ADD CONSTRAINT "professional_registrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "professional_registrations_token_idx" ON "professional_registrations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "professional_registrations_email_idx" ON "professional_registrations" USING btree ("tenant_id","email");--> statement-breakpoint
ALTER TABLE "professional_credentials" ADD CONSTRAINT "professional_credentials_council_check" CHECK (council in ('CRM', 'CRO', 'CRF', 'COREN', 'CRP', 'CRN', 'CREFITO'));--> statement-breakpoint
CREATE POLICY "professional_registrations_tenant_isolation" ON "professional_registrations" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "professional_registrations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The Worker records registrations and spends their tokens; it never deletes them (they are the consent's trail).
GRANT SELECT, INSERT, UPDATE ON "professional_registrations" TO vitalis_app;
