import { pgRole } from "drizzle-orm/pg-core";

/**
 * The role the Worker's database login is granted. It has no BYPASSRLS, owns nothing, and may only do
 * what the grants and row-level-security policies below allow. Environments create their own LOGIN role
 * (Terraform's application role, the test harness's role) and grant it this one.
 */
export const appRole = pgRole("vitalis_app").existing();

/**
 * The platform operator's role (the `tenant:*` CLI and `/api/platform/*`), created by migration 0013: it
 * creates tenants and their hostnames, suspends them, and disables a person everywhere. No BYPASSRLS: it reads
 * and writes only through the `*_platform` policies below, and what it writes into a tenant (the first
 * invitation, its e-mail, audit events) only in the tenant set with `app.tenant_id`, as the app role does.
 */
export const platformRole = pgRole("vitalis_platform").existing();

/** The SQL every tenant-scoped policy compares with: the tenant set by `withTenant` for this transaction. */
export const currentTenantSql = "nullif(current_setting('app.tenant_id', true), '')::uuid";

/**
 * The signed-in user the transaction acts for, set by the request scope beside the tenant (`withTenant`'s
 * `userId`); unset for jobs and anonymous requests. Policies that let only an account's owner change it read it.
 */
export const currentUserSql = "nullif(current_setting('app.user_id', true), '')::uuid";

/**
 * True for a row this very transaction wrote (inserted, or updated while it could see it). A tenant may attach
 * a user it cannot see only when it created that user in the same transaction; this is the test. The xid is
 * read only if one is assigned, so a read-only transaction (or a replica) never takes one. Rows written in a
 * savepoint carry the subtransaction's xid and do not count.
 */
export const writtenInThisTransactionSql = (table: string): string =>
  `${table}.xmin = pg_current_xact_id_if_assigned()::xid`;
