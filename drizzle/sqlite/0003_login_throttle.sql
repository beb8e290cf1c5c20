CREATE TABLE `login_account_failures` (
	`username` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_ms` integer NOT NULL,
	`block_ms` integer NOT NULL,
	`blocked_until_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_address_failures` (
	`address` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_ms` integer NOT NULL
);
