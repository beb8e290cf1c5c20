CREATE TABLE `device_keys` (
	`user_id` text NOT NULL,
	`device_id` text NOT NULL,
	`key` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `device_id`)
);
--> statement-breakpoint
CREATE TABLE `duplicate_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`id_hash` text NOT NULL,
	`community_code` text NOT NULL,
	`resident_ids` text NOT NULL,
	`raised_at` integer NOT NULL,
	`resolved_by` text,
	`resolved_at` integer,
	`resolution` text,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `duplicate_flags_community_idx` ON `duplicate_flags` (`community_code`);--> statement-breakpoint
CREATE INDEX `duplicate_flags_hash_idx` ON `duplicate_flags` (`id_hash`);--> statement-breakpoint
DROP INDEX `visits_household_idx`;--> statement-breakpoint
CREATE INDEX `visits_household_idx` ON `visits` (`household_id`,`day`);--> statement-breakpoint
ALTER TABLE `devices` ADD `last_sync_at` integer;--> statement-breakpoint
CREATE INDEX `incidents_open_due_idx` ON `incidents` (`community_code`,`due_at`) WHERE status <> 'closed';