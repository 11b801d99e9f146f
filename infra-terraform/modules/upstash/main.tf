# Upstash Redis: revocation lists, rate limits, trust-signal counters, idempotency keys.
resource "upstash_redis_database" "this" {
  database_name  = var.database_name
  region         = "global"
  primary_region = var.primary_region
  read_regions   = var.read_regions
  budget         = var.budget_usd

  # Transmission security, 45 CFR 164.312(e)(1): TLS on (turning it off recreates the database).
  tls = true

  # Eviction off: a revoked token or a rate-limit counter silently evicted under memory pressure would
  # let a revoked session or a brute-force attempt through. Better an error than a quiet fail-open.
  eviction = false

  auto_scale = false
}
