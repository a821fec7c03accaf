ALTER TABLE `runs` ADD `benchmark` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `risk_free_rate` real DEFAULT 0 NOT NULL;