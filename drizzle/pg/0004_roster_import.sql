CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"community_code" text NOT NULL,
	"user_id" text NOT NULL,
	"file_name" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"preview" jsonb NOT NULL,
	"payload" text NOT NULL,
	"rejected" text NOT NULL,
	"progress_done" integer DEFAULT 0 NOT NULL,
	"progress_total" integer DEFAULT 0 NOT NULL,
	"result" jsonb
);
--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "relation" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "landline" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "note" text;--> statement-breakpoint
CREATE INDEX "imports_expires_idx" ON "imports" USING btree ("expires_at");