-- Uploads, media, retention, privacy and audit checkpoints: row-level security binds the owner too, and
-- the Worker gets only the statements it needs (least privilege, LGPD art. 46; HIPAA 164.312(a)(1)).
ALTER TABLE "data_subjects" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "uploads" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "media_items" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "legal_holds" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "retention_runs" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "retention_checkpoints" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "compliance_reports" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "consents" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "privacy_requests" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "audit_checkpoints" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Data subjects are never deleted: an erased subject keeps an identifier-free row, so the requests that
-- were answered (LGPD art. 37, records of processing) still point somewhere.
GRANT SELECT, INSERT, UPDATE ON "data_subjects", "uploads", "legal_holds", "retention_runs", "retention_checkpoints", "compliance_reports", "privacy_requests" TO vitalis_app;--> statement-breakpoint
-- Media and consents are deleted by the retention sweep and by erasure requests (LGPD art. 16, art. 18 VI).
GRANT SELECT, INSERT, UPDATE, DELETE ON "media_items", "consents" TO vitalis_app;--> statement-breakpoint
-- Checkpoints are append-only, like the chain they sign.
GRANT SELECT, INSERT ON "audit_checkpoints" TO vitalis_app;--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_checkpoints_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_refuse_change();
