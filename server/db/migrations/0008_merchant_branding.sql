ALTER TABLE "merchants" ADD COLUMN "display_name" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "logo_url" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "accent_color" text;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "support_url" text;