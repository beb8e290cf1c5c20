CREATE TABLE "rollup_days" (
	"day" text PRIMARY KEY NOT NULL,
	"state_day" text NOT NULL,
	"frozen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "visits_household_idx";--> statement-breakpoint
CREATE INDEX "rollup_figures_period_idx" ON "rollup_figures" USING btree ("period","metric");--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id","day","abnormal");