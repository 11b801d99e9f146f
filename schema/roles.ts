import { pgRole } from "drizzle-orm/pg-core";

/**
 * The role the Worker's database login is granted. It has no BYPASSRLS, owns nothing, and may only do
 * what the grants and row-level-security policies below allow. Environments create their own LOGIN role
 * (Terraform's application role, the test harness's role) and grant it this one.
 */
export const appRole = pgRole("vitalis_app").existing();

/** The SQL every tenant-scoped policy compares with: the tenant set by `withTenant` for this transaction. */
export const currentTenantSql = "nullif(current_setting('app.tenant_id', true), '')::uuid";
