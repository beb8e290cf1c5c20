ALTER TABLE `households` ADD `last_visited_on` text;--> statement-breakpoint
ALTER TABLE `households` ADD `signal_on` text;--> statement-breakpoint
ALTER TABLE `households` ADD `signal_kind` text;--> statement-breakpoint
ALTER TABLE `households` ADD `care_tag` text;--> statement-breakpoint
ALTER TABLE `households` ADD `due_on` text;--> statement-breakpoint
ALTER TABLE `households` ADD `due_reason` text;--> statement-breakpoint
CREATE INDEX `households_due_unknown_idx` ON `households` (`id`) WHERE due_on is null;--> statement-breakpoint
CREATE INDEX `incidents_household_idx` ON `incidents` (`household_id`);