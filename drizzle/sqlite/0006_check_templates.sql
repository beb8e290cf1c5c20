CREATE TABLE `check_template_versions` (
	`template_id` text NOT NULL,
	`version` integer NOT NULL,
	`name` text NOT NULL,
	`name_en` text,
	`questions` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`template_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `check_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`division_code` text NOT NULL,
	`name` text NOT NULL,
	`name_en` text,
	`version` integer NOT NULL,
	`questions` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `check_templates_division_idx` ON `check_templates` (`division_code`);--> statement-breakpoint
ALTER TABLE `rounds` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `rounds` ADD `template_version` integer;--> statement-breakpoint
ALTER TABLE `visits` ADD `template_id` text;--> statement-breakpoint
ALTER TABLE `visits` ADD `template_version` integer;--> statement-breakpoint
ALTER TABLE `visits` ADD `answers` text DEFAULT '[]' NOT NULL;