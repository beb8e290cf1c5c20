CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`community_code` text NOT NULL,
	`user_id` text NOT NULL,
	`file_name` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`preview` text NOT NULL,
	`payload` text NOT NULL,
	`rejected` text NOT NULL,
	`progress_done` integer DEFAULT 0 NOT NULL,
	`progress_total` integer DEFAULT 0 NOT NULL,
	`result` text
);
--> statement-breakpoint
CREATE INDEX `imports_expires_idx` ON `imports` (`expires_at`);--> statement-breakpoint
ALTER TABLE `residents` ADD `relation` text;--> statement-breakpoint
ALTER TABLE `residents` ADD `landline` text;--> statement-breakpoint
ALTER TABLE `residents` ADD `note` text;