CREATE TABLE `device_keys` (
	`user_id` text NOT NULL,
	`device_id` text NOT NULL,
	`key` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `device_id`)
);
