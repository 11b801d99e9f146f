CREATE TABLE "job_rotations" (
	"job" text PRIMARY KEY NOT NULL,
	"start_tenant_id" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_rotations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "content_items_tenant_author_idx" ON "content_items" USING btree ("tenant_id","author_id");--> statement-breakpoint
CREATE POLICY "job_rotations_jobs" ON "job_rotations" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (true) WITH CHECK (true);--> statement-breakpoint
ALTER TABLE "job_rotations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The jobs read where their run starts and write where the next one will; nothing deletes a row.
GRANT SELECT, INSERT, UPDATE ON "job_rotations" TO vitalis_app;
