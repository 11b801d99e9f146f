ALTER TABLE "content_authors" ADD COLUMN "display_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- The public byline of an author, kept on the tenant's own row: public reads take it from content_authors (under
-- its tenant policy) instead of joining users, whose read policy makes PostgreSQL hash the tenant's memberships,
-- authors and invitations on every read. users.display_name stays the one source: these triggers copy it.
UPDATE "content_authors" a SET "display_name" = u."display_name" FROM "users" u WHERE u."id" = a."user_id";--> statement-breakpoint
-- On insert, and whenever a row's person or name is written, the name is read from the account (as the writer,
-- under its policies: a tenant attributes content only to an account it can see).
CREATE OR REPLACE FUNCTION content_authors_display_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT u.display_name INTO NEW.display_name FROM users u WHERE u.id = NEW.user_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'content author %: no such account visible to this tenant', NEW.user_id;
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER content_authors_display_name BEFORE INSERT OR UPDATE OF user_id, display_name ON "content_authors"
  FOR EACH ROW EXECUTE FUNCTION content_authors_display_name();--> statement-breakpoint
-- A person's new name reaches every tenant they write for. The account is global, its author rows are per tenant
-- and the writer's policies show only its own tenant's, so this runs as its owner, who bypasses row-level security
-- (as vitalis_search_content does, migration 0018, which warns when it does not), and touches only the rows of that
-- one person.
CREATE OR REPLACE FUNCTION users_display_name_to_authors() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE public.content_authors SET display_name = NEW.display_name WHERE user_id = NEW.id;
  RETURN NULL;
END $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION users_display_name_to_authors() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER users_display_name_to_authors AFTER UPDATE OF display_name ON "users"
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
  EXECUTE FUNCTION users_display_name_to_authors();
