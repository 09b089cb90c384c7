ALTER TABLE `releases` ADD `web_ports` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `releases` ADD `steps` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `releases` ADD `static_root` text;--> statement-breakpoint
ALTER TABLE `releases` ADD `error_hint` text;