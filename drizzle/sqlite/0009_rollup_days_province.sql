-- rollup_days keyed by province and day (docs/scaling.md): each frozen day is recorded once per
-- province the database has grids in.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_rollup_days` (
	`province` text NOT NULL,
	`day` text NOT NULL,
	`state_day` text NOT NULL,
	`frozen_at` integer NOT NULL,
	PRIMARY KEY(`province`, `day`)
);
--> statement-breakpoint
INSERT INTO `__new_rollup_days`("province", "day", "state_day", "frozen_at") SELECT p."province", d."day", d."state_day", d."frozen_at" FROM `rollup_days` d CROSS JOIN (SELECT DISTINCT substr("community_code", 1, 2) AS "province" FROM `grids`) p;--> statement-breakpoint
DROP TABLE `rollup_days`;--> statement-breakpoint
ALTER TABLE `__new_rollup_days` RENAME TO `rollup_days`;--> statement-breakpoint
PRAGMA foreign_keys=ON;
