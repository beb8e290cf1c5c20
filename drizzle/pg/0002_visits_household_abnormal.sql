DROP INDEX "visits_household_idx";--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id","day","abnormal");