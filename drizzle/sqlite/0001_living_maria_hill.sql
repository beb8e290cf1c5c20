DROP INDEX `visits_household_idx`;--> statement-breakpoint
CREATE INDEX `visits_household_idx` ON `visits` (`household_id`,`day`);--> statement-breakpoint
ALTER TABLE `devices` ADD `last_sync_at` integer;--> statement-breakpoint
CREATE INDEX `incidents_open_due_idx` ON `incidents` (`community_code`,`due_at`) WHERE status <> 'closed';