output "project_id" {
  description = "Neon project id."
  value       = neon_project.this.id
}

output "branch_id" {
  description = "Id of the default branch."
  value       = neon_project.this.default_branch_id
}

output "database_name" {
  description = "Name of the application database."
  value       = neon_project.this.database_name
}

output "database_host" {
  description = "Direct (unpooled) host of the default endpoint."
  value       = local.direct_host
}

output "owner_role_name" {
  description = "Owner role, for migrations."
  value       = neon_project.this.database_user
}

output "app_role_name" {
  description = "Application role the Worker connects as (migrations grant it table privileges)."
  value       = var.app_role_name
}

output "owner_database_url" {
  description = "Direct connection string of the owner role, for `npm run db:migrate` only; never given to the Worker."
  value       = local.owner_database_url
  sensitive   = true
}

output "app_database_url" {
  description = "Pooled connection string of the application role: the Worker's DATABASE_URL."
  value       = local.app_database_url
  sensitive   = true
}

output "app_role_sql" {
  description = "Idempotent SQL that creates or updates the application role; run it as the owner role before migrations."
  value       = local.app_role_sql
  sensitive   = true
}
