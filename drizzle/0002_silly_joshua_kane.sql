CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_name_unique` ON `api_keys` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_unique` ON `api_keys` (`secret_hash`);--> statement-breakpoint
ALTER TABLE `runs` ADD `owner_key_id` integer;--> statement-breakpoint
CREATE INDEX `runs_owner_id_idx` ON `runs` (`owner_key_id`,`id`);--> statement-breakpoint
ALTER TABLE `sweeps` ADD `owner_key_id` integer;--> statement-breakpoint
CREATE INDEX `sweeps_owner_id_idx` ON `sweeps` (`owner_key_id`,`id`);