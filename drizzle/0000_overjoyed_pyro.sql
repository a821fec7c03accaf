CREATE TABLE `bar_chunks` (
	`instrument_id` integer NOT NULL,
	`period` text NOT NULL,
	`start_ms` integer NOT NULL,
	`end_ms` integer NOT NULL,
	`count` integer NOT NULL,
	`time` blob NOT NULL,
	`open` blob NOT NULL,
	`high` blob NOT NULL,
	`low` blob NOT NULL,
	`close` blob NOT NULL,
	`volume` blob NOT NULL,
	PRIMARY KEY(`instrument_id`, `period`, `start_ms`),
	FOREIGN KEY (`instrument_id`) REFERENCES `instruments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `coverage` (
	`instrument_id` integer NOT NULL,
	`period` text NOT NULL,
	`first_ms` integer NOT NULL,
	`last_ms` integer NOT NULL,
	`bars` integer NOT NULL,
	PRIMARY KEY(`instrument_id`, `period`),
	FOREIGN KEY (`instrument_id`) REFERENCES `instruments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `instruments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` text NOT NULL,
	`symbol` text NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `instruments_dataset_symbol_uq` ON `instruments` (`dataset_id`,`symbol`);--> statement-breakpoint
CREATE TABLE `equity_curves` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`points` integer NOT NULL,
	`time` blob NOT NULL,
	`equity` blob NOT NULL,
	`cash` blob NOT NULL,
	`drawdown` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fills` (
	`run_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`fill_id` integer NOT NULL,
	`order_id` integer NOT NULL,
	`time` integer NOT NULL,
	`symbol_index` integer NOT NULL,
	`symbol` text NOT NULL,
	`bar_index` integer NOT NULL,
	`side` text NOT NULL,
	`quantity` real NOT NULL,
	`price` real NOT NULL,
	`commission` real NOT NULL,
	PRIMARY KEY(`run_id`, `seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`run_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`order_id` integer NOT NULL,
	`time` integer NOT NULL,
	`symbol_index` integer NOT NULL,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`type` text NOT NULL,
	`quantity` real NOT NULL,
	`limit_price` real,
	`stop_price` real,
	`time_in_force` text NOT NULL,
	`tag` text,
	`status` text NOT NULL,
	`filled_quantity` real NOT NULL,
	`average_fill_price` real,
	`reason` text,
	`triggered` integer NOT NULL,
	`submitted_step` integer NOT NULL,
	`expires_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `round_trips` (
	`run_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`quantity` real NOT NULL,
	`entry_time` integer NOT NULL,
	`exit_time` integer NOT NULL,
	`entry_price` real NOT NULL,
	`exit_price` real NOT NULL,
	`pnl` real NOT NULL,
	`return_pct` real NOT NULL,
	`bars` integer NOT NULL,
	PRIMARY KEY(`run_id`, `seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`strategy` text NOT NULL,
	`params` text NOT NULL,
	`symbols` text NOT NULL,
	`dataset` text NOT NULL,
	`period` text NOT NULL,
	`start` text,
	`end` text,
	`initial_cash` real NOT NULL,
	`commission` text NOT NULL,
	`slippage_bps` real NOT NULL,
	`periods_per_year` real,
	`status` text NOT NULL,
	`progress` real DEFAULT 0 NOT NULL,
	`bars_processed` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`metrics` text
);
--> statement-breakpoint
CREATE INDEX `runs_status_id_idx` ON `runs` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `runs_strategy_id_idx` ON `runs` (`strategy`,`id`);