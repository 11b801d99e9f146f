ALTER TABLE "uploads" ADD COLUMN "replaces_media_id" uuid;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "width" integer;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "height" integer;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "alt_text" text;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "public_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "wp_id" bigserial NOT NULL;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_wp_id_unique" UNIQUE("wp_id");--> statement-breakpoint
-- The app role numbers new media items for the WordPress API, as it numbers items, terms and authors.
GRANT USAGE ON SEQUENCE "media_items_wp_id_seq" TO vitalis_app;
