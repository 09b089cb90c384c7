CREATE TABLE `addon_attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`addon_id` integer NOT NULL,
	`app_id` integer NOT NULL,
	`type` text NOT NULL,
	`is_primary` integer NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`addon_id`) REFERENCES `addons`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`app_id`) REFERENCES `apps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `addon_attachments_addon_app` ON `addon_attachments` (`addon_id`,`app_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `addon_attachments_one_primary` ON `addon_attachments` (`app_id`,`type`) WHERE "addon_attachments"."is_primary" = 1;--> statement-breakpoint
CREATE INDEX `addon_attachments_app` ON `addon_attachments` (`app_id`);--> statement-breakpoint
CREATE TABLE `addons` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`state` text DEFAULT 'provisioning' NOT NULL,
	`resource` text DEFAULT '{}' NOT NULL,
	`secrets_sealed` blob,
	`created_at` integer NOT NULL,
	CONSTRAINT "addons_state_valid" CHECK("addons"."state" IN ('provisioning', 'ready')),
	CONSTRAINT "addons_type_valid" CHECK("addons"."type" IN ('postgres', 'mysql', 'redis', 's3'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `addons_name_unique` ON `addons` (`name`);--> statement-breakpoint
CREATE TABLE `redis_dbs` (
	`number` integer NOT NULL,
	`addon` text NOT NULL,
	FOREIGN KEY (`addon`) REFERENCES `addons`(`name`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "redis_dbs_number_range" CHECK("redis_dbs"."number" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `redis_dbs_number_unique` ON `redis_dbs` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `redis_dbs_addon_unique` ON `redis_dbs` (`addon`);