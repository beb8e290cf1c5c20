ALTER TABLE `grids` ADD `retired_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `phone` text;--> statement-breakpoint
ALTER TABLE `users` ADD `scope_version` integer DEFAULT 0 NOT NULL;