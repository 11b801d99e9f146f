CREATE TABLE "sitemap_counts" (
	"tenant_id" uuid NOT NULL,
	"locale" text NOT NULL,
	"kind" smallint NOT NULL,
	"slug" text DEFAULT '' NOT NULL,
	"file" integer DEFAULT 0 NOT NULL,
	"items" integer NOT NULL,
	"lists" integer DEFAULT 0 NOT NULL,
	"last_modified" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "sitemap_counts_tenant_id_locale_kind_slug_file_pk" PRIMARY KEY("tenant_id","locale","kind","slug","file")
);
--> statement-breakpoint
ALTER TABLE "sitemap_counts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sitemap_counts" ADD CONSTRAINT "sitemap_counts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "sitemap_counts_tenant_isolation" ON "sitemap_counts" AS PERMISSIVE FOR ALL TO "vitalis_app" USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
ALTER TABLE "sitemap_counts" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The Worker reads the counts; its own writes keep them (the triggers below run as the writer, under its tenant).
GRANT SELECT, INSERT, UPDATE, DELETE ON "sitemap_counts" TO vitalis_app;--> statement-breakpoint
-- The item file of a wp id: fixed ranges of 45,000 ids (SITEMAP_FILE_WP_IDS in functions/site/urls.ts), so an
-- item's file follows from its own row and never moves; a file holds at most 45,000 URLs.
CREATE OR REPLACE FUNCTION sitemap_file(wp_id bigint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT (wp_id / 45000)::integer + 1 $$;--> statement-breakpoint
-- What search engines are offered (indexableSql in functions/services/content/access.ts).
CREATE OR REPLACE FUNCTION sitemap_indexable(item content_items) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT item.state = 'published' AND item.trashed_at IS NULL AND item.compliance_level = 'public' AND NOT item.noindex $$;--> statement-breakpoint
-- The types shown in lists (listedContentTypes in functions/content-types.ts).
CREATE OR REPLACE FUNCTION sitemap_listed(item content_items) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT item.type = 'post' $$;--> statement-breakpoint
-- Adds `delta` items to one row (0: only dates it). A list row that appears or empties moves its home's `lists`.
CREATE OR REPLACE FUNCTION sitemap_count(t uuid, loc text, k smallint, s text, f integer, delta integer, at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  created boolean;
  remaining integer;
BEGIN
  IF delta > 0 THEN
    INSERT INTO sitemap_counts AS c (tenant_id, locale, kind, slug, file, items, last_modified)
    VALUES (t, loc, k, s, f, delta, at)
    ON CONFLICT (tenant_id, locale, kind, slug, file)
      DO UPDATE SET items = c.items + delta, last_modified = greatest(c.last_modified, at)
    RETURNING (xmax = 0) INTO created;
    IF created AND k BETWEEN 1 AND 3 THEN
      UPDATE sitemap_counts SET lists = lists + 1 WHERE tenant_id = t AND locale = loc AND kind = 0;
    END IF;
    RETURN;
  END IF;
  UPDATE sitemap_counts SET items = items + delta, last_modified = greatest(last_modified, at)
  WHERE tenant_id = t AND locale = loc AND kind = k AND slug = s AND file = f
  RETURNING items INTO remaining;
  IF remaining = 0 AND k <> 0 THEN
    DELETE FROM sitemap_counts WHERE tenant_id = t AND locale = loc AND kind = k AND slug = s AND file = f;
    IF k BETWEEN 1 AND 3 THEN
      UPDATE sitemap_counts SET lists = lists - 1, last_modified = greatest(last_modified, at)
      WHERE tenant_id = t AND locale = loc AND kind = 0;
    END IF;
  END IF;
END $$;--> statement-breakpoint
-- Counts an item in (delta 1) or out of (-1) everything it shows in, or dates it all (0): its home and file, and
-- for a listed type its categories, tags and author, read from its current links. Every writer takes its home row
-- first (home rows are never deleted), so concurrent writers of a locale queue there instead of deadlocking.
CREATE OR REPLACE FUNCTION sitemap_count_item(item content_items, delta integer, at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  term record;
BEGIN
  IF NOT sitemap_indexable(item) THEN RETURN; END IF;
  PERFORM sitemap_count(item.tenant_id, item.locale, 0::smallint, '', 0, delta, at);
  PERFORM sitemap_count(item.tenant_id, item.locale, 4::smallint, '', sitemap_file(item.wp_id), delta, at);
  IF sitemap_listed(item) THEN
    FOR term IN
      SELECT 1::smallint AS kind, c.slug FROM content_item_categories ic JOIN categories c ON c.id = ic.category_id
      WHERE ic.content_id = item.id
      UNION ALL
      SELECT 2::smallint, t.slug FROM content_item_tags it JOIN tags t ON t.id = it.tag_id WHERE it.content_id = item.id
      UNION ALL
      SELECT 3::smallint, a.slug FROM content_authors a WHERE a.tenant_id = item.tenant_id AND a.user_id = item.author_id
    LOOP
      PERFORM sitemap_count(item.tenant_id, item.locale, term.kind, term.slug, 0, delta, at);
    END LOOP;
  END IF;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION content_items_sitemap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sitemap_count_item(NEW, 1, NEW.updated_at);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    -- Before the row goes: its links are still there (their cascade then finds no item and counts nothing).
    PERFORM sitemap_count_item(OLD, -1, now());
    RETURN OLD;
  END IF;
  IF sitemap_indexable(OLD) AND sitemap_indexable(NEW) AND OLD.tenant_id = NEW.tenant_id AND OLD.locale = NEW.locale
     AND OLD.type = NEW.type AND OLD.wp_id = NEW.wp_id AND OLD.author_id IS NOT DISTINCT FROM NEW.author_id THEN
    PERFORM sitemap_count_item(NEW, 0, NEW.updated_at);
  ELSE
    PERFORM sitemap_count_item(OLD, -1, greatest(now(), NEW.updated_at));
    PERFORM sitemap_count_item(NEW, 1, NEW.updated_at);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER content_items_sitemap_insert AFTER INSERT ON "content_items"
  FOR EACH ROW EXECUTE FUNCTION content_items_sitemap();--> statement-breakpoint
CREATE TRIGGER content_items_sitemap_update
  AFTER UPDATE OF tenant_id, locale, type, wp_id, author_id, state, trashed_at, compliance_level, noindex, updated_at
  ON "content_items" FOR EACH ROW EXECUTE FUNCTION content_items_sitemap();--> statement-breakpoint
CREATE TRIGGER content_items_sitemap_delete BEFORE DELETE ON "content_items"
  FOR EACH ROW EXECUTE FUNCTION content_items_sitemap();--> statement-breakpoint
-- A category or tag link added or removed: the term's list gains or loses the item, if it is indexable and listed.
-- A link removed with its item or its term finds neither any more: those deletions count for themselves.
CREATE OR REPLACE FUNCTION content_item_terms_sitemap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  link jsonb;
  delta integer;
  item content_items;
  term_slug text;
  k smallint := CASE TG_TABLE_NAME WHEN 'content_item_categories' THEN 1 ELSE 2 END;
BEGIN
  FOREACH delta IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY[1] WHEN 'DELETE' THEN ARRAY[-1] ELSE ARRAY[-1, 1] END LOOP
    link := to_jsonb(CASE WHEN delta < 0 THEN OLD ELSE NEW END);
    SELECT * INTO item FROM content_items WHERE id = (link->>'content_id')::uuid;
    CONTINUE WHEN NOT FOUND OR NOT sitemap_indexable(item) OR NOT sitemap_listed(item);
    IF k = 1 THEN
      SELECT slug INTO term_slug FROM categories WHERE id = (link->>'category_id')::uuid;
    ELSE
      SELECT slug INTO term_slug FROM tags WHERE id = (link->>'tag_id')::uuid;
    END IF;
    CONTINUE WHEN term_slug IS NULL;
    PERFORM sitemap_count(item.tenant_id, item.locale, 0::smallint, '', 0, 0, greatest(now(), item.updated_at));
    PERFORM sitemap_count(item.tenant_id, item.locale, k, term_slug, 0, delta, greatest(now(), item.updated_at));
  END LOOP;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER content_item_categories_sitemap AFTER INSERT OR UPDATE OR DELETE ON "content_item_categories"
  FOR EACH ROW EXECUTE FUNCTION content_item_terms_sitemap();--> statement-breakpoint
CREATE TRIGGER content_item_tags_sitemap AFTER INSERT OR UPDATE OR DELETE ON "content_item_tags"
  FOR EACH ROW EXECUTE FUNCTION content_item_terms_sitemap();--> statement-breakpoint
-- Moves every indexable listed item of one term (kind 1, 2: a category or tag id; 3: an author's user id) into
-- (delta 1) or out of (-1) the list `term_slug`, per locale (its home first, as every writer).
CREATE OR REPLACE FUNCTION sitemap_count_term(t uuid, k smallint, term uuid, term_slug text, delta integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  counted record;
BEGIN
  FOR counted IN
    SELECT ci.locale, count(*)::integer AS items FROM content_items ci
    WHERE ci.tenant_id = t AND sitemap_indexable(ci) AND sitemap_listed(ci) AND ci.id IN (
      SELECT ic.content_id FROM content_item_categories ic WHERE k = 1 AND ic.category_id = term
      UNION ALL
      SELECT it.content_id FROM content_item_tags it WHERE k = 2 AND it.tag_id = term
      UNION ALL
      SELECT own.id FROM content_items own WHERE k = 3 AND own.tenant_id = t AND own.author_id = term)
    GROUP BY ci.locale
  LOOP
    PERFORM sitemap_count(t, counted.locale, 0::smallint, '', 0, 0, now());
    PERFORM sitemap_count(t, counted.locale, k, term_slug, 0, delta * counted.items, now());
  END LOOP;
END $$;--> statement-breakpoint
-- A category, tag or author renamed or deleted, or an author added (a new term has no links yet): its items leave the old slug's list and join the new one's.
-- Deletion counts before the row goes, while its links are still there.
CREATE OR REPLACE FUNCTION sitemap_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k smallint := CASE TG_TABLE_NAME WHEN 'categories' THEN 1 WHEN 'tags' THEN 2 ELSE 3 END;
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
  id_key text := CASE TG_TABLE_NAME WHEN 'content_authors' THEN 'user_id' ELSE 'id' END;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row->>'slug' = new_row->>'slug' AND old_row->>id_key = new_row->>id_key
     AND old_row->>'tenant_id' = new_row->>'tenant_id' THEN
    RETURN NULL;
  END IF;
  IF old_row IS NOT NULL THEN
    PERFORM sitemap_count_term((old_row->>'tenant_id')::uuid, k, (old_row->>id_key)::uuid, old_row->>'slug', -1);
  END IF;
  IF new_row IS NOT NULL THEN
    PERFORM sitemap_count_term((new_row->>'tenant_id')::uuid, k, (new_row->>id_key)::uuid, new_row->>'slug', 1);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END $$;--> statement-breakpoint
CREATE TRIGGER categories_sitemap_update AFTER UPDATE OF tenant_id, id, slug ON "categories"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
CREATE TRIGGER categories_sitemap_delete BEFORE DELETE ON "categories"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
CREATE TRIGGER tags_sitemap_update AFTER UPDATE OF tenant_id, id, slug ON "tags"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
CREATE TRIGGER tags_sitemap_delete BEFORE DELETE ON "tags"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
CREATE TRIGGER content_authors_sitemap_update AFTER INSERT OR UPDATE OF tenant_id, user_id, slug ON "content_authors"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
CREATE TRIGGER content_authors_sitemap_delete BEFORE DELETE ON "content_authors"
  FOR EACH ROW EXECUTE FUNCTION sitemap_terms_changed();--> statement-breakpoint
-- The counts of what exists today.
INSERT INTO sitemap_counts (tenant_id, locale, kind, slug, file, items, last_modified)
SELECT ci.tenant_id, ci.locale, 0, '', 0, count(*), max(ci.updated_at) FROM content_items ci
WHERE sitemap_indexable(ci) GROUP BY ci.tenant_id, ci.locale
UNION ALL
SELECT ci.tenant_id, ci.locale, 4, '', sitemap_file(ci.wp_id), count(*), max(ci.updated_at) FROM content_items ci
WHERE sitemap_indexable(ci) GROUP BY ci.tenant_id, ci.locale, sitemap_file(ci.wp_id)
UNION ALL
SELECT ci.tenant_id, ci.locale, 1, c.slug, 0, count(*), max(ci.updated_at) FROM content_items ci
JOIN content_item_categories ic ON ic.content_id = ci.id JOIN categories c ON c.id = ic.category_id
WHERE sitemap_indexable(ci) AND sitemap_listed(ci) GROUP BY ci.tenant_id, ci.locale, c.slug
UNION ALL
SELECT ci.tenant_id, ci.locale, 2, t.slug, 0, count(*), max(ci.updated_at) FROM content_items ci
JOIN content_item_tags it ON it.content_id = ci.id JOIN tags t ON t.id = it.tag_id
WHERE sitemap_indexable(ci) AND sitemap_listed(ci) GROUP BY ci.tenant_id, ci.locale, t.slug
UNION ALL
SELECT ci.tenant_id, ci.locale, 3, a.slug, 0, count(*), max(ci.updated_at) FROM content_items ci
JOIN content_authors a ON a.tenant_id = ci.tenant_id AND a.user_id = ci.author_id
WHERE sitemap_indexable(ci) AND sitemap_listed(ci) GROUP BY ci.tenant_id, ci.locale, a.slug;--> statement-breakpoint
UPDATE sitemap_counts home SET lists = (SELECT count(*) FROM sitemap_counts l
  WHERE l.tenant_id = home.tenant_id AND l.locale = home.locale AND l.kind BETWEEN 1 AND 3)
WHERE home.kind = 0;
