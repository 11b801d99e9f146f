CREATE TABLE "job_runs" (
	"tenant_id" uuid NOT NULL,
	"job" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"finished_at" timestamp (3) with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"error_code" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failing_since" timestamp (3) with time zone,
	"last_success_at" timestamp (3) with time zone,
	CONSTRAINT "job_runs_tenant_id_job_pk" PRIMARY KEY("tenant_id","job")
);
--> statement-breakpoint
ALTER TABLE "job_runs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "job_runs_tenant_isolation" ON "job_runs" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "job_runs" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The jobs record each run's outcome over the last one; nothing deletes a row but the tenant's own deletion.
GRANT SELECT, INSERT, UPDATE ON "job_runs" TO vitalis_app;
