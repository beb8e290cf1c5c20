CREATE TABLE "device_keys" (
	"user_id" text NOT NULL,
	"device_id" text NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "device_keys_user_id_device_id_pk" PRIMARY KEY("user_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "duplicate_flags" (
	"id" text PRIMARY KEY NOT NULL,
	"id_hash" text NOT NULL,
	"community_code" text NOT NULL,
	"resident_ids" jsonb NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"note" text
);
--> statement-breakpoint
DROP INDEX "visits_household_idx";--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "duplicate_flags_community_idx" ON "duplicate_flags" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "duplicate_flags_hash_idx" ON "duplicate_flags" USING btree ("id_hash");--> statement-breakpoint
CREATE INDEX "incidents_open_due_idx" ON "incidents" USING btree ("community_code","due_at") WHERE status <> 'closed';--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id","day");