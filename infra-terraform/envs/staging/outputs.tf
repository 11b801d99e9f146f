output "worker_name" {
  description = "Worker name to deploy with wrangler."
  value       = module.cloudflare_worker.worker_name
}

output "worker_vars" {
  description = "Plain vars for this environment's [vars] in wrangler.toml."
  value       = module.cloudflare_worker.worker_vars
}

output "worker_secret_names" {
  description = "Secrets provided by worker_secrets_json."
  value       = module.cloudflare_worker.secret_names
}

output "worker_secrets_json" {
  description = "Pipe into `wrangler secret bulk` (see README); sensitive."
  value       = module.cloudflare_worker.worker_secrets_json
  sensitive   = true
}

output "migration_database_url" {
  description = "Owner-role connection string for `npm run db:migrate`; sensitive, never a Worker secret."
  value       = module.neon.owner_database_url
  sensitive   = true
}

output "app_role_sql" {
  description = "SQL that creates the application role without BYPASSRLS; run as the owner role before migrations."
  value       = module.neon.app_role_sql
  sensitive   = true
}

output "app_role_name" {
  description = "Application role name, granted table privileges by the migrations."
  value       = module.neon.app_role_name
}

output "bucket_name" {
  description = "DICOM and media bucket."
  value       = module.s3_dicom.bucket_name
}

output "presigner_user_arn" {
  description = "IAM user the Worker presigns with."
  value       = module.iam.user_arn
}

output "mail_dkim_records" {
  description = "CNAME records to publish for the sending domain's Easy DKIM in SES."
  value       = module.ses_smtp.dkim_records
}

output "access_log_retention" {
  description = "Retention of the application access logs (Marco Civil art. 15), kept in the database's access_logs table."
  value       = module.neon.access_log_retention
}
