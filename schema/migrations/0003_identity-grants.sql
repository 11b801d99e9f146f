ALTER TABLE "mfa_recovery_codes" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "refresh_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "professional_credentials" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "mfa_recovery_codes", "refresh_tokens", "professional_credentials" TO vitalis_app;--> statement-breakpoint
GRANT DELETE ON "mfa_recovery_codes" TO vitalis_app;
