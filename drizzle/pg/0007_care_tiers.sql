ALTER TABLE "households" ADD COLUMN "last_visited_on" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "signal_on" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "signal_kind" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "care_tag" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "due_on" text;--> statement-breakpoint
ALTER TABLE "households" ADD COLUMN "due_reason" text;--> statement-breakpoint
CREATE INDEX "households_due_unknown_idx" ON "households" USING btree ("id") WHERE due_on is null;--> statement-breakpoint
CREATE INDEX "incidents_household_idx" ON "incidents" USING btree ("household_id");