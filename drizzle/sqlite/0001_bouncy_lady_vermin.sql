ALTER TABLE `devices` ADD `last_sync_at` integer;--> statement-breakpoint
CREATE INDEX `incidents_open_due_idx` ON `incidents` (`community_code`,`due_at`) WHERE status <> 'closed';