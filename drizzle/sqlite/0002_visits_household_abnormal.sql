DROP INDEX `visits_household_idx`;--> statement-breakpoint
CREATE INDEX `visits_household_idx` ON `visits` (`household_id`,`day`,`abnormal`);