CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"community_code" text NOT NULL,
	"kind" text NOT NULL,
	"value" integer NOT NULL,
	"threshold" integer NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "applied_mutations" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"applied_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"community_code" text,
	"reason" text,
	"device_id" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "change_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"op" text NOT NULL,
	"fields" jsonb NOT NULL,
	"grid_id" text NOT NULL,
	"community_code" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkins" (
	"id" text PRIMARY KEY NOT NULL,
	"resident_id" text NOT NULL,
	"grid_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"day" text NOT NULL,
	"status" text NOT NULL,
	"channel" text NOT NULL,
	"needs" jsonb NOT NULL,
	"assisted_by" text,
	"recorded_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"kind" text NOT NULL,
	"community_code" text,
	"enrolled_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "divisions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"parent_code" text
);
--> statement-breakpoint
CREATE TABLE "field_history" (
	"id" text PRIMARY KEY NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"field" text NOT NULL,
	"value" jsonb,
	"outcome" text NOT NULL,
	"actor_id" text NOT NULL,
	"mutation_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grids" (
	"id" text PRIMARY KEY NOT NULL,
	"community_code" text NOT NULL,
	"name" text NOT NULL,
	"boundary" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households" (
	"id" text PRIMARY KEY NOT NULL,
	"grid_id" text NOT NULL,
	"address" text NOT NULL,
	"tags" jsonb NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"member_count" integer DEFAULT 0 NOT NULL,
	"version" bigint NOT NULL,
	"field_meta" jsonb NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_transitions" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" text NOT NULL,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"grid_id" text NOT NULL,
	"community_code" text NOT NULL,
	"household_id" text,
	"resident_id" text,
	"category" text NOT NULL,
	"severity" text NOT NULL,
	"description" text NOT NULL,
	"status" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"escalated_to" text,
	"assignee_id" text,
	"reported_by" text NOT NULL,
	"rating" integer,
	"version" bigint NOT NULL,
	"field_meta" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" text PRIMARY KEY NOT NULL,
	"household_id" text NOT NULL,
	"grid_id" text NOT NULL,
	"name" text NOT NULL,
	"id_number" text,
	"id_number_masked" text,
	"id_hash" text,
	"phone" text,
	"birth_year" integer,
	"sex" text,
	"tags" jsonb NOT NULL,
	"daily_check_in" boolean DEFAULT false NOT NULL,
	"version" bigint NOT NULL,
	"field_meta" jsonb NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_figures" (
	"node_code" text NOT NULL,
	"period" text NOT NULL,
	"metric" text NOT NULL,
	"value" bigint NOT NULL,
	CONSTRAINT "rollup_figures_node_code_period_metric_pk" PRIMARY KEY("node_code","period","metric")
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"id" text PRIMARY KEY NOT NULL,
	"division_code" text NOT NULL,
	"name" text NOT NULL,
	"start_date" text NOT NULL,
	"due_date" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" text NOT NULL,
	"device_id" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"display_name" text,
	"role" text NOT NULL,
	"scope" jsonb NOT NULL,
	"password_hash" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" text PRIMARY KEY NOT NULL,
	"household_id" text NOT NULL,
	"grid_id" text NOT NULL,
	"worker_id" text NOT NULL,
	"visited_at" timestamp with time zone NOT NULL,
	"day" text NOT NULL,
	"outcome" text NOT NULL,
	"checks" jsonb NOT NULL,
	"needs" jsonb NOT NULL,
	"note" text,
	"abnormal" boolean NOT NULL,
	"supersedes" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alerts_community_idx" ON "alerts" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "audit_community_at_idx" ON "audit_entries" USING btree ("community_code","at");--> statement-breakpoint
CREATE INDEX "change_log_grid_seq_idx" ON "change_log" USING btree ("grid_id","seq");--> statement-breakpoint
CREATE INDEX "change_log_community_seq_idx" ON "change_log" USING btree ("community_code","seq");--> statement-breakpoint
CREATE INDEX "checkins_resident_day_idx" ON "checkins" USING btree ("resident_id","day");--> statement-breakpoint
CREATE INDEX "checkins_grid_day_idx" ON "checkins" USING btree ("grid_id","day");--> statement-breakpoint
CREATE INDEX "divisions_parent_idx" ON "divisions" USING btree ("parent_code");--> statement-breakpoint
CREATE INDEX "field_history_row_idx" ON "field_history" USING btree ("table_name","row_id");--> statement-breakpoint
CREATE INDEX "grids_community_idx" ON "grids" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "households_grid_idx" ON "households" USING btree ("grid_id");--> statement-breakpoint
CREATE INDEX "incident_transitions_incident_idx" ON "incident_transitions" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incidents_grid_status_idx" ON "incidents" USING btree ("grid_id","status");--> statement-breakpoint
CREATE INDEX "incidents_community_idx" ON "incidents" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "residents_household_idx" ON "residents" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "residents_grid_idx" ON "residents" USING btree ("grid_id");--> statement-breakpoint
CREATE INDEX "residents_id_hash_idx" ON "residents" USING btree ("id_hash");--> statement-breakpoint
CREATE INDEX "rounds_division_idx" ON "rounds" USING btree ("division_code");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "visits_household_idx" ON "visits" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "visits_grid_day_idx" ON "visits" USING btree ("grid_id","day");