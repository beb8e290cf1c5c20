CREATE TABLE "job_runs" (
	"job" text PRIMARY KEY NOT NULL,
	"period" text NOT NULL,
	"runs" integer NOT NULL,
	"failures" integer NOT NULL,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_process" text
);
