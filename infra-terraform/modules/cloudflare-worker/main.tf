# The Worker's infrastructure. Terraform owns the Worker object, its hostnames, cron triggers and the
# edge rate limit; `wrangler deploy` owns the code (versions) and `wrangler secret bulk` the secrets
# (see README: the cloudflare provider v5 has no standalone secret resource, and secret bindings on a
# Terraform-managed script would be overwritten by every wrangler deploy).

locals {
  # Exactly the names functions/env.ts reads.
  worker_secrets = {
    DATABASE_URL             = var.database_url
    UPSTASH_REDIS_REST_URL   = var.upstash_redis_rest_url
    UPSTASH_REDIS_REST_TOKEN = var.upstash_redis_rest_token
    S3_ACCESS_KEY_ID         = var.s3_access_key_id
    S3_SECRET_ACCESS_KEY     = var.s3_secret_access_key
    SMTP_USERNAME            = var.smtp_username
    SMTP_PASSWORD            = var.smtp_password
    # Empty (the default) means no key: functions/env.ts reads an empty NCBI_API_KEY as unset.
    NCBI_API_KEY = var.ncbi_api_key
  }

  # Listed separately so the names are not derived from (and marked like) the sensitive values.
  secret_names = ["DATABASE_URL", "NCBI_API_KEY", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "SMTP_PASSWORD", "SMTP_USERNAME", "UPSTASH_REDIS_REST_TOKEN", "UPSTASH_REDIS_REST_URL"]

  worker_vars = {
    ENVIRONMENT = var.environment
    S3_BUCKET   = var.s3_bucket
    S3_REGION   = var.s3_region
    # TLS from the first byte: plain SMTP is refused outside development and tests, and STARTTLS could be stripped.
    SMTP_HOST     = var.smtp_host
    SMTP_PORT     = "465"
    SMTP_SECURITY = "tls"
    MAIL_FROM     = var.mail_from
    # Cited references are checked against Crossref and NCBI E-utilities, which ask callers to name themselves.
    NCBI_TOOL                = var.ncbi_tool
    REFERENCES_CONTACT_EMAIL = var.references_contact_email
  }

  login_path_set = join(" ", [for p in var.login_paths : jsonencode(p)])
}

resource "cloudflare_worker" "this" {
  account_id = var.account_id
  name       = var.worker_name
  tags       = ["vitalis", var.environment]

  # Only the custom domains reach the Worker: the workers.dev hostname would bypass the zone's WAF and
  # rate-limiting rules.
  subdomain = {
    enabled          = false
    previews_enabled = false
  }

  observability = {
    enabled            = true
    head_sampling_rate = 1
    logs = {
      enabled            = true
      head_sampling_rate = 1
      invocation_logs    = true
    }
  }
}

resource "cloudflare_workers_custom_domain" "this" {
  for_each = toset(var.hostnames)

  account_id = var.account_id
  zone_id    = var.zone_id
  hostname   = each.value
  service    = cloudflare_worker.this.name
}

resource "cloudflare_workers_cron_trigger" "this" {
  account_id  = var.account_id
  script_name = cloudflare_worker.this.name
  schedules   = [for cron in var.cron_schedules : { cron = cron }]
}

# Brute-force protection at the edge before the Worker runs (HIPAA 45 CFR 164.312(d) person
# authentication; OWASP ASVS 2.2.1 anti-automation). The Worker adds per-account limits in Redis.
# A zone has one http_ratelimit entrypoint ruleset: this resource owns it.
resource "cloudflare_ruleset" "login_rate_limit" {
  zone_id     = var.zone_id
  name        = "vitalis-${var.environment}-login-rate-limit"
  description = "Rate limit the Vitalis login and MFA endpoints per client IP"
  kind        = "zone"
  phase       = "http_ratelimit"

  rules = [
    {
      ref         = "vitalis_login_rate_limit"
      description = "Login and MFA: ${var.login_rate_limit.requests_per_period} requests per ${var.login_rate_limit.period_seconds}s per IP"
      enabled     = true
      expression  = "(http.request.uri.path in {${local.login_path_set}})"
      action      = "block"
      ratelimit = {
        # cf.colo.id is mandatory in rate-limiting characteristics; counting is per colo and IP.
        characteristics     = ["cf.colo.id", "ip.src"]
        period              = var.login_rate_limit.period_seconds
        requests_per_period = var.login_rate_limit.requests_per_period
        mitigation_timeout  = var.login_rate_limit.mitigation_seconds
      }
    }
  ]
}
