output "database_id" {
  description = "Upstash database id."
  value       = upstash_redis_database.this.database_id
}

output "endpoint" {
  description = "Hostname of the database."
  value       = upstash_redis_database.this.endpoint
}

output "rest_url" {
  description = "REST URL for @upstash/redis: the Worker's UPSTASH_REDIS_REST_URL."
  value       = "https://${upstash_redis_database.this.endpoint}"
}

output "rest_token" {
  description = "Read-write REST token: the Worker's UPSTASH_REDIS_REST_TOKEN."
  value       = upstash_redis_database.this.rest_token
  sensitive   = true
}
