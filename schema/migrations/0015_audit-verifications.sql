CREATE TABLE "audit_verifications" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"verified_seq" bigint DEFAULT 0 NOT NULL,
	"verified_hash" text NOT NULL,
	"recheck_seq" bigint DEFAULT 0 NOT NULL,
	"recheck_hash" text NOT NULL,
	"checkpoints_verified" integer DEFAULT 0 NOT NULL,
	"checkpoints_digest" text,
	"ok" boolean NOT NULL,
	"result" jsonb NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_verifications" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "audit_verifications" ADD CONSTRAINT "audit_verifications_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "audit_verifications_tenant_isolation" ON "audit_verifications" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "audit_verifications" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The verification job keeps one row per tenant and moves it forward; nothing deletes it.
GRANT SELECT, INSERT, UPDATE ON "audit_verifications" TO vitalis_app;
