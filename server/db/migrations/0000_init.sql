CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_active_name` ON `api_tokens` (`name`) WHERE "api_tokens"."revoked_at" IS NULL;--> statement-breakpoint
CREATE TABLE `apps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`state` text DEFAULT 'created' NOT NULL,
	`current_release_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`current_release_id`) REFERENCES `releases`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "apps_state_valid" CHECK("apps"."state" IN ('created', 'running', 'stopped', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apps_name_unique` ON `apps` (`name`);--> statement-breakpoint
CREATE TABLE `domains` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`app_id` integer NOT NULL,
	`hostname` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `domains_hostname_unique` ON `domains` (`hostname`);--> statement-breakpoint
CREATE INDEX `domains_app` ON `domains` (`app_id`);--> statement-breakpoint
CREATE TABLE `env_vars` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`app_id` integer NOT NULL,
	`name` text NOT NULL,
	`value_sealed` blob NOT NULL,
	`secret` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `env_vars_app_name` ON `env_vars` (`app_id`,`name`);--> statement-breakpoint
CREATE TABLE `releases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`app_id` integer NOT NULL,
	`number` integer NOT NULL,
	`status` text NOT NULL,
	`source_sha256` text,
	`config_hash` text,
	`builder` text,
	`env_keys` text DEFAULT '[]' NOT NULL,
	`env_sealed` blob,
	`processes` text DEFAULT '{}' NOT NULL,
	`port` integer,
	`release_dir` text,
	`build_ms` integer,
	`deploy_ms` integer,
	`error_code` text,
	`error_message` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "releases_status_valid" CHECK("releases"."status" IN ('pending', 'building', 'starting', 'live', 'superseded', 'failed')),
	CONSTRAINT "releases_number_positive" CHECK("releases"."number" >= 1),
	CONSTRAINT "releases_port_range" CHECK("releases"."port" IS NULL OR ("releases"."port" BETWEEN 1 AND 65535))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `releases_app_number` ON `releases` (`app_id`,`number`);--> statement-breakpoint
CREATE INDEX `releases_app_status` ON `releases` (`app_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `releases_one_live_per_app` ON `releases` (`app_id`) WHERE "releases"."status" = 'live';