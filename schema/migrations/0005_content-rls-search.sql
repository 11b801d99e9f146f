-- Content tables: row-level security binds the owner too, and the Worker gets only the statements it needs.
-- There is no DELETE on content_items or content_revisions: permanent deletion belongs to the retention
-- sweep (schema/retention-policies.ts), never to an editor's request.
ALTER TABLE "content_items" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "content_revisions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "categories" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tags" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "content_item_categories" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "content_item_tags" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "content_analyses" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "content_authors" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "content_items", "categories", "tags", "content_authors" TO vitalis_app;--> statement-breakpoint
GRANT SELECT, INSERT ON "content_revisions", "content_analyses" TO vitalis_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "content_item_categories", "content_item_tags" TO vitalis_app;--> statement-breakpoint
GRANT DELETE ON "categories", "tags" TO vitalis_app;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "content_items_wp_id_seq", "categories_wp_id_seq", "tags_wp_id_seq", "content_authors_wp_id_seq" TO vitalis_app;--> statement-breakpoint
-- Full-text search. unaccent() is only STABLE (its dictionary could be reloaded), so a generated column
-- cannot call it; naming the dictionary explicitly makes the result depend on the arguments alone, which
-- is what the IMMUTABLE wrapper promises. Readers type "cancer", "hipertensao", "diabetes" without accents.
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;--> statement-breakpoint
CREATE OR REPLACE FUNCTION vitalis_unaccent(input text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, input) $$;--> statement-breakpoint
-- The text-search dictionary of each content locale (pt-BR → portuguese, es → spanish, en → english).
CREATE OR REPLACE FUNCTION vitalis_search_config(locale text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE locale
  WHEN 'pt-BR' THEN 'pg_catalog.portuguese'::regconfig
  WHEN 'es' THEN 'pg_catalog.spanish'::regconfig
  ELSE 'pg_catalog.english'::regconfig
END $$;--> statement-breakpoint
-- Title weighs most (A), then the excerpt (B), then the body (C): ts_rank orders by these weights.
CREATE OR REPLACE FUNCTION vitalis_content_search_document(locale text, title text, excerpt text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT
  setweight(pg_catalog.to_tsvector(vitalis_search_config(locale), coalesce(vitalis_unaccent(title), '')), 'A') ||
  setweight(pg_catalog.to_tsvector(vitalis_search_config(locale), coalesce(vitalis_unaccent(excerpt), '')), 'B') ||
  setweight(pg_catalog.to_tsvector(vitalis_search_config(locale), coalesce(vitalis_unaccent(body), '')), 'C')
$$;--> statement-breakpoint
-- One generated column whose dictionary follows the row's locale (each row is stemmed in its own
-- language), indexed with GIN. Declared here, not in schema/content-items.ts, because it needs the
-- functions above, which drizzle-kit cannot create before the table.
ALTER TABLE "content_items" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (vitalis_content_search_document("locale", "title", "excerpt", "body_markdown")) STORED;--> statement-breakpoint
CREATE INDEX "content_items_search_idx" ON "content_items" USING gin ("search_vector");
