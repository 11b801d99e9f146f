ALTER TABLE "media_items" ALTER COLUMN "upload_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "media_items" ADD COLUMN "source_media_id" uuid;--> statement-breakpoint
ALTER TABLE "media_items" ADD CONSTRAINT "media_items_source_media_id_media_items_id_fk" FOREIGN KEY ("source_media_id") REFERENCES "public"."media_items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_items_source_idx" ON "media_items" USING btree ("tenant_id","source_media_id");