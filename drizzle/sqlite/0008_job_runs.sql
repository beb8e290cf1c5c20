CREATE TABLE `job_runs` (
	`job` text PRIMARY KEY NOT NULL,
	`period` text NOT NULL,
	`runs` integer NOT NULL,
	`failures` integer NOT NULL,
	`last_started_at` integer,
	`last_finished_at` integer,
	`last_process` text
);
