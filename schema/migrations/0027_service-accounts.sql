ALTER TABLE "users" ADD COLUMN "kind" text DEFAULT 'person' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_kind_check" CHECK ("kind" in ('person', 'service'));--> statement-breakpoint
-- A service account holds only the author role, whatever the code asks: no admin, reviewer or officer rights, and
-- no reader session. Every path that may add a role sees the account (users_read: a member here, or written by this
-- transaction), so the check needs no privilege beyond the caller's.
CREATE OR REPLACE FUNCTION memberships_service_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.role <> 'author' AND EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND kind = 'service') THEN
    RAISE EXCEPTION 'a service account holds only the author role' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER memberships_service_roles BEFORE INSERT OR UPDATE ON "memberships"
  FOR EACH ROW EXECUTE FUNCTION memberships_service_roles();--> statement-breakpoint
-- What a principal is never changes: a person does not become a service account nor the reverse.
CREATE OR REPLACE FUNCTION users_kind_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind <> OLD.kind THEN
    RAISE EXCEPTION 'the kind of a principal never changes' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER users_kind_fixed BEFORE UPDATE OF "kind" ON "users" FOR EACH ROW EXECUTE FUNCTION users_kind_fixed();
