CREATE TABLE `result_blocks` (
	`run_id` integer NOT NULL,
	`kind` text NOT NULL,
	`first_seq` integer NOT NULL,
	`count` integer NOT NULL,
	`format` integer NOT NULL,
	`dictionary` text NOT NULL,
	`bytes` blob NOT NULL,
	PRIMARY KEY(`run_id`, `kind`, `first_seq`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
