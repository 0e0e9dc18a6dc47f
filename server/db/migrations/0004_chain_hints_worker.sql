ALTER TABLE "chain_hints" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "chain_hints" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "chain_hints" ADD COLUMN "outcome" text;--> statement-breakpoint
CREATE INDEX "chain_hints_pending_idx" ON "chain_hints" USING btree ("chain_id","processed_at","next_attempt_at");