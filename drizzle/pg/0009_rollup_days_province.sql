-- rollup_days keyed by province and day (docs/scaling.md): each frozen day is recorded once per
-- province the database has grids in.
ALTER TABLE "rollup_days" ADD COLUMN "province" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "rollup_days" DROP CONSTRAINT "rollup_days_pkey";--> statement-breakpoint
INSERT INTO "rollup_days" ("province", "day", "state_day", "frozen_at") SELECT p."province", d."day", d."state_day", d."frozen_at" FROM "rollup_days" d CROSS JOIN (SELECT DISTINCT substr("community_code", 1, 2) AS "province" FROM "grids") p;--> statement-breakpoint
DELETE FROM "rollup_days" WHERE "province" = '';--> statement-breakpoint
ALTER TABLE "rollup_days" ALTER COLUMN "province" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "rollup_days" ADD CONSTRAINT "rollup_days_province_day_pk" PRIMARY KEY("province","day");
