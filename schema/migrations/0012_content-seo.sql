ALTER TABLE "content_items" ADD COLUMN "meta_title" text;--> statement-breakpoint
ALTER TABLE "content_items" ADD COLUMN "meta_description" text;--> statement-breakpoint
ALTER TABLE "content_items" ADD COLUMN "focus_keyword" text;--> statement-breakpoint
ALTER TABLE "content_items" ADD COLUMN "canonical_url" text;--> statement-breakpoint
ALTER TABLE "content_items" ADD COLUMN "noindex" boolean DEFAULT false NOT NULL;