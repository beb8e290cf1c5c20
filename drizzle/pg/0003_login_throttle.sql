CREATE TABLE "login_account_failures" (
	"username" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_ms" bigint NOT NULL,
	"block_ms" bigint NOT NULL,
	"blocked_until_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_address_failures" (
	"address" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_ms" bigint NOT NULL
);
