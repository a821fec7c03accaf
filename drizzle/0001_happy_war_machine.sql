CREATE TABLE `sweep_results` (
	`sweep_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`params` text NOT NULL,
	`metrics` text NOT NULL,
	`objective_value` real,
	`run_id` integer,
	PRIMARY KEY(`sweep_id`, `seq`),
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `sweep_results_objective_idx` ON `sweep_results` (`sweep_id`,`objective_value`);--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`strategy` text NOT NULL,
	`base_params` text NOT NULL,
	`grid` text NOT NULL,
	`symbols` text NOT NULL,
	`dataset` text NOT NULL,
	`period` text NOT NULL,
	`start` text,
	`end` text,
	`initial_cash` real NOT NULL,
	`commission` text NOT NULL,
	`slippage_bps` real NOT NULL,
	`periods_per_year` real NOT NULL,
	`objective` text NOT NULL,
	`maximize` integer NOT NULL,
	`keep_top` integer NOT NULL,
	`total` integer NOT NULL,
	`skipped` integer NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `sweeps_status_id_idx` ON `sweeps` (`status`,`id`);