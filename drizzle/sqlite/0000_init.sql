CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`community_code` text NOT NULL,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	`threshold` integer NOT NULL,
	`raised_at` integer NOT NULL,
	`acknowledged_by` text,
	`acknowledged_at` integer
);
--> statement-breakpoint
CREATE INDEX `alerts_community_idx` ON `alerts` (`community_code`);--> statement-breakpoint
CREATE TABLE `applied_mutations` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`applied_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`action` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`community_code` text,
	`reason` text,
	`device_id` text,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_community_at_idx` ON `audit_entries` (`community_code`,`at`);--> statement-breakpoint
CREATE TABLE `change_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`op` text NOT NULL,
	`fields` text NOT NULL,
	`grid_id` text NOT NULL,
	`community_code` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `change_log_grid_seq_idx` ON `change_log` (`grid_id`,`seq`);--> statement-breakpoint
CREATE INDEX `change_log_community_seq_idx` ON `change_log` (`community_code`,`seq`);--> statement-breakpoint
CREATE TABLE `checkins` (
	`id` text PRIMARY KEY NOT NULL,
	`resident_id` text NOT NULL,
	`grid_id` text NOT NULL,
	`at` integer NOT NULL,
	`day` text NOT NULL,
	`status` text NOT NULL,
	`channel` text NOT NULL,
	`needs` text NOT NULL,
	`assisted_by` text,
	`recorded_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `checkins_resident_day_idx` ON `checkins` (`resident_id`,`day`);--> statement-breakpoint
CREATE INDEX `checkins_grid_day_idx` ON `checkins` (`grid_id`,`day`);--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`community_code` text,
	`enrolled_at` integer NOT NULL,
	`last_seen_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `divisions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`level` text NOT NULL,
	`parent_code` text
);
--> statement-breakpoint
CREATE INDEX `divisions_parent_idx` ON `divisions` (`parent_code`);--> statement-breakpoint
CREATE TABLE `field_history` (
	`id` text PRIMARY KEY NOT NULL,
	`table_name` text NOT NULL,
	`row_id` text NOT NULL,
	`field` text NOT NULL,
	`value` text,
	`outcome` text NOT NULL,
	`actor_id` text NOT NULL,
	`mutation_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `field_history_row_idx` ON `field_history` (`table_name`,`row_id`);--> statement-breakpoint
CREATE TABLE `grids` (
	`id` text PRIMARY KEY NOT NULL,
	`community_code` text NOT NULL,
	`name` text NOT NULL,
	`boundary` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `grids_community_idx` ON `grids` (`community_code`);--> statement-breakpoint
CREATE TABLE `households` (
	`id` text PRIMARY KEY NOT NULL,
	`grid_id` text NOT NULL,
	`address` text NOT NULL,
	`tags` text NOT NULL,
	`lat` real,
	`lng` real,
	`member_count` integer DEFAULT 0 NOT NULL,
	`version` integer NOT NULL,
	`field_meta` text NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `households_grid_idx` ON `households` (`grid_id`);--> statement-breakpoint
CREATE TABLE `incident_transitions` (
	`id` text PRIMARY KEY NOT NULL,
	`incident_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor_id` text NOT NULL,
	`note` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incident_transitions_incident_idx` ON `incident_transitions` (`incident_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`grid_id` text NOT NULL,
	`community_code` text NOT NULL,
	`household_id` text,
	`resident_id` text,
	`category` text NOT NULL,
	`severity` text NOT NULL,
	`description` text NOT NULL,
	`status` text NOT NULL,
	`due_at` integer NOT NULL,
	`escalated_to` text,
	`assignee_id` text,
	`reported_by` text NOT NULL,
	`rating` integer,
	`version` integer NOT NULL,
	`field_meta` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_grid_status_idx` ON `incidents` (`grid_id`,`status`);--> statement-breakpoint
CREATE INDEX `incidents_community_idx` ON `incidents` (`community_code`);--> statement-breakpoint
CREATE TABLE `residents` (
	`id` text PRIMARY KEY NOT NULL,
	`household_id` text NOT NULL,
	`grid_id` text NOT NULL,
	`name` text NOT NULL,
	`id_number` text,
	`id_number_masked` text,
	`id_hash` text,
	`phone` text,
	`birth_year` integer,
	`sex` text,
	`tags` text NOT NULL,
	`daily_check_in` integer DEFAULT false NOT NULL,
	`version` integer NOT NULL,
	`field_meta` text NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `residents_household_idx` ON `residents` (`household_id`);--> statement-breakpoint
CREATE INDEX `residents_grid_idx` ON `residents` (`grid_id`);--> statement-breakpoint
CREATE INDEX `residents_id_hash_idx` ON `residents` (`id_hash`);--> statement-breakpoint
CREATE TABLE `rollup_figures` (
	`node_code` text NOT NULL,
	`period` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY(`node_code`, `period`, `metric`)
);
--> statement-breakpoint
CREATE TABLE `rounds` (
	`id` text PRIMARY KEY NOT NULL,
	`division_code` text NOT NULL,
	`name` text NOT NULL,
	`start_date` text NOT NULL,
	`due_date` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rounds_division_idx` ON `rounds` (`division_code`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`device_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash_unique` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`role` text NOT NULL,
	`scope` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `visits` (
	`id` text PRIMARY KEY NOT NULL,
	`household_id` text NOT NULL,
	`grid_id` text NOT NULL,
	`worker_id` text NOT NULL,
	`visited_at` integer NOT NULL,
	`day` text NOT NULL,
	`outcome` text NOT NULL,
	`checks` text NOT NULL,
	`needs` text NOT NULL,
	`note` text,
	`abnormal` integer NOT NULL,
	`supersedes` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visits_household_idx` ON `visits` (`household_id`);--> statement-breakpoint
CREATE INDEX `visits_grid_day_idx` ON `visits` (`grid_id`,`day`);