output "worker_name" {
  description = "Name of the Worker (wrangler must deploy to this name)."
  value       = cloudflare_worker.this.name
}

output "worker_id" {
  description = "Id of the Worker object."
  value       = cloudflare_worker.this.id
}

output "hostnames" {
  description = "Custom domains attached to the Worker."
  value       = [for d in cloudflare_workers_custom_domain.this : d.hostname]
}

output "cron_schedules" {
  description = "Cron triggers of the Worker."
  value       = var.cron_schedules
}

output "secret_names" {
  description = "Names of the Worker secrets this module provides values for."
  value       = local.secret_names
}

output "worker_secrets_json" {
  description = "JSON object of Worker secrets for `wrangler secret bulk` (sensitive)."
  value       = jsonencode(local.worker_secrets)
  sensitive   = true
}

output "worker_vars" {
  description = "Plain (non-secret) vars the Worker needs, for the environment's [vars] in wrangler.toml."
  value       = local.worker_vars
}
