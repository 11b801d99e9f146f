CREATE TABLE "access_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"kind" text NOT NULL,
	"user_id" uuid,
	"email_hash" text,
	"ip" text NOT NULL,
	"port" integer,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"status" integer NOT NULL,
	"request_id" text,
	CONSTRAINT "access_logs_kind_check" CHECK ("access_logs"."kind" in ('request', 'sign_in'))
);
--> statement-breakpoint
ALTER TABLE "access_logs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"discovered_at" timestamp (3) with time zone NOT NULL,
	"occurred_at" timestamp (3) with time zone,
	"data_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"sensitive_data" boolean DEFAULT false NOT NULL,
	"subject_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"subjects_affected" integer,
	"risk_level" text,
	"risk_assessment" text,
	"measures" text,
	"communication_due" date NOT NULL,
	"anpd_communicated_at" timestamp (3) with time zone,
	"subjects_notified_at" timestamp (3) with time zone,
	"alerted_at" timestamp (3) with time zone,
	"dedupe_key" text,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp (3) with time zone,
	CONSTRAINT "incidents_status_check" CHECK ("incidents"."status" in ('draft', 'confirmed', 'communicated', 'closed', 'dismissed')),
	CONSTRAINT "incidents_source_check" CHECK ("incidents"."source" in ('manual', 'audit_chain', 'mass_phi_read')),
	CONSTRAINT "incidents_risk_check" CHECK ("incidents"."risk_level" in ('low', 'medium', 'high'))
);
--> statement-breakpoint
ALTER TABLE "incidents" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "break_glass_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"justification" text NOT NULL,
	"opened_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp (3) with time zone,
	"review_outcome" text,
	"review_note" text,
	CONSTRAINT "break_glass_grants_review_outcome" CHECK ("break_glass_grants"."review_outcome" in ('justified', 'unjustified'))
);
--> statement-breakpoint
ALTER TABLE "break_glass_grants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "access_logs" ADD CONSTRAINT "access_logs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "break_glass_grants" ADD CONSTRAINT "break_glass_grants_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_logs_tenant_at_idx" ON "access_logs" USING btree ("tenant_id","at","id");--> statement-breakpoint
CREATE INDEX "access_logs_tenant_user_at_idx" ON "access_logs" USING btree ("tenant_id","user_id","at");--> statement-breakpoint
CREATE INDEX "incidents_tenant_status_idx" ON "incidents" USING btree ("tenant_id","status","communication_due");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_dedupe_idx" ON "incidents" USING btree ("tenant_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "break_glass_grants_tenant_opened_idx" ON "break_glass_grants" USING btree ("tenant_id","opened_at");--> statement-breakpoint
CREATE POLICY "access_logs_tenant_isolation" ON "access_logs" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "incidents_tenant_isolation" ON "incidents" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "break_glass_grants_tenant_isolation" ON "break_glass_grants" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "access_logs" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "incidents" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "break_glass_grants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The access log is appended, read by compliance officers and deleted by the retention sweep; never updated.
GRANT SELECT, INSERT, DELETE ON "access_logs" TO vitalis_app;--> statement-breakpoint
-- The incident register and the break-glass grants are written and updated (workflow, review), never deleted.
GRANT SELECT, INSERT, UPDATE ON "incidents", "break_glass_grants" TO vitalis_app;
