DROP INDEX "visits_household_idx";--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "incidents_open_due_idx" ON "incidents" USING btree ("community_code","due_at") WHERE status <> 'closed';--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id","day");