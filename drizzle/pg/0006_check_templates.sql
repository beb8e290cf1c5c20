CREATE TABLE "check_template_versions" (
	"template_id" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"questions" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "check_template_versions_template_id_version_pk" PRIMARY KEY("template_id","version")
);
--> statement-breakpoint
CREATE TABLE "check_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"division_code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"version" integer NOT NULL,
	"questions" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "template_id" text;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "template_version" integer;--> statement-breakpoint
ALTER TABLE "visits" ADD COLUMN "template_id" text;--> statement-breakpoint
ALTER TABLE "visits" ADD COLUMN "template_version" integer;--> statement-breakpoint
ALTER TABLE "visits" ADD COLUMN "answers" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "check_templates_division_idx" ON "check_templates" USING btree ("division_code");