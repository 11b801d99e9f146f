-- Row-level security applies to the tables' owner too, so a migration or maintenance session that is not a
-- superuser cannot read across tenants by accident.
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tenant_hostnames" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "users" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "memberships" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "audit_events" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Least privilege for the Worker: only the statements each table needs.
GRANT USAGE ON SCHEMA public TO vitalis_app;--> statement-breakpoint
GRANT SELECT ON "tenants", "tenant_hostnames" TO vitalis_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "users" TO vitalis_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "memberships" TO vitalis_app;--> statement-breakpoint
GRANT SELECT, INSERT ON "audit_events" TO vitalis_app;--> statement-breakpoint
-- The audit log is append-only (HIPAA 164.312(b), 164.312(c)(1) integrity): nobody, not even the owner,
-- may change or remove an event through SQL. A superuser can still disable the trigger, which is why the
-- chain of hashes and the signed daily checkpoints exist: tampering stays detectable.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
