CREATE TABLE "api_keys" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_keys_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint,
	CONSTRAINT "api_keys_name_unique" UNIQUE("name"),
	CONSTRAINT "api_keys_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "bar_chunks" (
	"instrument_id" integer NOT NULL,
	"period" text NOT NULL,
	"start_ms" bigint NOT NULL,
	"end_ms" bigint NOT NULL,
	"count" integer NOT NULL,
	"time" "bytea" NOT NULL,
	"open" "bytea" NOT NULL,
	"high" "bytea" NOT NULL,
	"low" "bytea" NOT NULL,
	"close" "bytea" NOT NULL,
	"volume" "bytea" NOT NULL,
	CONSTRAINT "bar_chunks_instrument_id_period_start_ms_pk" PRIMARY KEY("instrument_id","period","start_ms")
);
--> statement-breakpoint
CREATE TABLE "coverage" (
	"instrument_id" integer NOT NULL,
	"period" text NOT NULL,
	"first_ms" bigint NOT NULL,
	"last_ms" bigint NOT NULL,
	"bars" bigint NOT NULL,
	"content_id" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "coverage_instrument_id_period_pk" PRIMARY KEY("instrument_id","period")
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instruments" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "instruments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"dataset_id" text NOT NULL,
	"symbol" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "equity_curves" (
	"run_id" integer PRIMARY KEY NOT NULL,
	"points" integer NOT NULL,
	"format" integer DEFAULT 1 NOT NULL,
	"time" "bytea" NOT NULL,
	"equity" "bytea" NOT NULL,
	"cash" "bytea" NOT NULL,
	"drawdown" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"run_id" integer NOT NULL,
	"seq" integer NOT NULL,
	"fill_id" integer NOT NULL,
	"order_id" integer NOT NULL,
	"time" bigint NOT NULL,
	"symbol_index" integer NOT NULL,
	"symbol" text NOT NULL,
	"bar_index" integer NOT NULL,
	"side" text NOT NULL,
	"quantity" double precision NOT NULL,
	"price" double precision NOT NULL,
	"commission" double precision NOT NULL,
	CONSTRAINT "fills_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"run_id" integer NOT NULL,
	"seq" integer NOT NULL,
	"order_id" integer NOT NULL,
	"time" bigint NOT NULL,
	"symbol_index" integer NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"type" text NOT NULL,
	"quantity" double precision NOT NULL,
	"limit_price" double precision,
	"stop_price" double precision,
	"time_in_force" text NOT NULL,
	"tag" text,
	"status" text NOT NULL,
	"filled_quantity" double precision NOT NULL,
	"average_fill_price" double precision,
	"reason" text,
	"triggered" boolean NOT NULL,
	"submitted_step" integer NOT NULL,
	"expires_at" bigint,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "orders_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "result_blocks" (
	"run_id" integer NOT NULL,
	"kind" text NOT NULL,
	"first_seq" integer NOT NULL,
	"count" integer NOT NULL,
	"format" integer NOT NULL,
	"dictionary" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "result_blocks_run_id_kind_first_seq_pk" PRIMARY KEY("run_id","kind","first_seq")
);
--> statement-breakpoint
CREATE TABLE "round_trips" (
	"run_id" integer NOT NULL,
	"seq" integer NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"quantity" double precision NOT NULL,
	"entry_time" bigint NOT NULL,
	"exit_time" bigint NOT NULL,
	"entry_price" double precision NOT NULL,
	"exit_price" double precision NOT NULL,
	"pnl" double precision NOT NULL,
	"return_pct" double precision NOT NULL,
	"bars" integer NOT NULL,
	CONSTRAINT "round_trips_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"strategy" text NOT NULL,
	"params" text NOT NULL,
	"symbols" text NOT NULL,
	"dataset" text NOT NULL,
	"period" text NOT NULL,
	"start" text,
	"end" text,
	"initial_cash" double precision NOT NULL,
	"commission" text NOT NULL,
	"slippage_bps" double precision NOT NULL,
	"periods_per_year" double precision,
	"benchmark" text,
	"risk_free_rate" double precision DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"bars_processed" bigint DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"finished_at" bigint,
	"metrics" text,
	"owner_key_id" integer
);
--> statement-breakpoint
CREATE TABLE "sweep_results" (
	"sweep_id" integer NOT NULL,
	"seq" integer NOT NULL,
	"params" text NOT NULL,
	"metrics" text NOT NULL,
	"objective_value" double precision,
	"run_id" integer,
	CONSTRAINT "sweep_results_sweep_id_seq_pk" PRIMARY KEY("sweep_id","seq")
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sweeps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"strategy" text NOT NULL,
	"base_params" text NOT NULL,
	"grid" text NOT NULL,
	"symbols" text NOT NULL,
	"dataset" text NOT NULL,
	"period" text NOT NULL,
	"start" text,
	"end" text,
	"initial_cash" double precision NOT NULL,
	"commission" text NOT NULL,
	"slippage_bps" double precision NOT NULL,
	"periods_per_year" double precision NOT NULL,
	"objective" text NOT NULL,
	"maximize" boolean NOT NULL,
	"keep_top" integer NOT NULL,
	"total" integer NOT NULL,
	"skipped" integer NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"finished_at" bigint,
	"owner_key_id" integer
);
--> statement-breakpoint
ALTER TABLE "bar_chunks" ADD CONSTRAINT "bar_chunks_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coverage" ADD CONSTRAINT "coverage_instrument_id_instruments_id_fk" FOREIGN KEY ("instrument_id") REFERENCES "public"."instruments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instruments" ADD CONSTRAINT "instruments_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "equity_curves" ADD CONSTRAINT "equity_curves_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_blocks" ADD CONSTRAINT "result_blocks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_trips" ADD CONSTRAINT "round_trips_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_results" ADD CONSTRAINT "sweep_results_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_results" ADD CONSTRAINT "sweep_results_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "instruments_dataset_symbol_uq" ON "instruments" USING btree ("dataset_id","symbol");--> statement-breakpoint
CREATE INDEX "runs_status_id_idx" ON "runs" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "runs_strategy_id_idx" ON "runs" USING btree ("strategy","id");--> statement-breakpoint
CREATE INDEX "runs_owner_id_idx" ON "runs" USING btree ("owner_key_id","id");--> statement-breakpoint
CREATE INDEX "sweep_results_objective_idx" ON "sweep_results" USING btree ("sweep_id","objective_value");--> statement-breakpoint
CREATE INDEX "sweeps_status_id_idx" ON "sweeps" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "sweeps_owner_id_idx" ON "sweeps" USING btree ("owner_key_id","id");