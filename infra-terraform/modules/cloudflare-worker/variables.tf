variable "account_id" {
  description = "Cloudflare account id that owns the Worker."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.account_id))
    error_message = "account_id must be a 32-character hexadecimal Cloudflare id."
  }
}

variable "zone_id" {
  description = "Cloudflare zone id of the hostnames (custom domains and the login rate-limiting rule live in it)."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.zone_id))
    error_message = "zone_id must be a 32-character hexadecimal Cloudflare id."
  }
}

variable "worker_name" {
  description = "Name of the Worker; must equal the name wrangler deploys (wrangler.toml `name`, or `<name>-<env>` for a wrangler environment)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.worker_name))
    error_message = "worker_name must be lowercase letters, digits or hyphens (max 63)."
  }
}

variable "environment" {
  description = "Deployment environment, also the Worker's ENVIRONMENT var."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "hostnames" {
  description = "Hostnames served by the Worker as Workers Custom Domains (public sites and the admin host)."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0 && alltrue([for h in var.hostnames : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", h))])
    error_message = "hostnames must be a non-empty list of lowercase DNS names without wildcards."
  }
}

variable "cron_schedules" {
  description = "Cron triggers (UTC): hourly retention sweep at :00, hourly audit chain verification at :45 (apart from the sweep), daily compliance report and audit checkpoint, daily re-check of cited references for retractions, scheduled publishing every minute."
  type        = list(string)
  default     = ["0 * * * *", "45 * * * *", "30 3 * * *", "15 4 * * *", "* * * * *"]

  validation {
    condition     = length(var.cron_schedules) > 0 && length(var.cron_schedules) <= 5 && alltrue([for c in var.cron_schedules : length(split(" ", c)) == 5])
    error_message = "cron_schedules must hold 1-5 five-field cron expressions (the Workers Free plan allows 5 cron triggers per account)."
  }
}

variable "login_paths" {
  description = "Paths of the login endpoints the edge rate-limiting rule protects: the API's, and the public site's sign-in and registration forms in each locale (functions/site/urls.ts)."
  type        = list(string)
  default = [
    "/api/auth/login",
    "/api/auth/mfa",
    "/pt-br/entrar",
    "/pt-br/cadastro",
    "/en/sign-in",
    "/en/register",
    "/es/acceder",
    "/es/registro",
  ]

  validation {
    condition     = length(var.login_paths) > 0 && alltrue([for p in var.login_paths : can(regex("^/[A-Za-z0-9/_-]+$", p))])
    error_message = "login_paths must be absolute paths without query strings or wildcards."
  }
}

variable "login_rate_limit" {
  description = "Requests allowed per client IP (per Cloudflare colo) and period on the login paths, and how long an offender stays blocked."
  type = object({
    requests_per_period = number
    period_seconds      = number
    mitigation_seconds  = number
  })
  default = {
    requests_per_period = 10
    period_seconds      = 60
    mitigation_seconds  = 600
  }

  validation {
    condition     = contains([10, 60, 120, 300, 600, 3600], var.login_rate_limit.period_seconds) && contains([0, 10, 60, 120, 300, 600, 3600, 86400], var.login_rate_limit.mitigation_seconds) && var.login_rate_limit.requests_per_period >= 1
    error_message = "period_seconds must be one of 10, 60, 120, 300, 600, 3600; mitigation_seconds one of 0, 10, 60, 120, 300, 600, 3600, 86400 (Cloudflare rate limiting values)."
  }
}

# --- Secrets (by reference: values come from other modules' sensitive outputs, never from files) -----

variable "database_url" {
  description = "Pooled connection string of the application role (DATABASE_URL)."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^postgres(ql)?://", var.database_url))
    error_message = "database_url must be a postgres:// connection string."
  }
}

variable "upstash_redis_rest_url" {
  description = "Upstash REST URL (UPSTASH_REDIS_REST_URL)."
  type        = string

  validation {
    condition     = can(regex("^https://", var.upstash_redis_rest_url))
    error_message = "upstash_redis_rest_url must be an https:// URL."
  }
}

variable "upstash_redis_rest_token" {
  description = "Upstash REST token (UPSTASH_REDIS_REST_TOKEN)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.upstash_redis_rest_token) > 0
    error_message = "upstash_redis_rest_token must not be empty."
  }
}

variable "s3_access_key_id" {
  description = "Access key id of the presigning IAM user (S3_ACCESS_KEY_ID)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.s3_access_key_id) > 0
    error_message = "s3_access_key_id must not be empty."
  }
}

variable "s3_secret_access_key" {
  description = "Secret access key of the presigning IAM user (S3_SECRET_ACCESS_KEY)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.s3_secret_access_key) > 0
    error_message = "s3_secret_access_key must not be empty."
  }
}

variable "s3_bucket" {
  description = "Name of the DICOM and media bucket (S3_BUCKET, a plain var)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_bucket))
    error_message = "s3_bucket must be an S3 bucket name."
  }
}

variable "s3_region" {
  description = "Region of the bucket (S3_REGION, a plain var)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.s3_region))
    error_message = "s3_region must be an AWS region name such as sa-east-1."
  }
}

# --- Outgoing mail (from the ses-smtp module) ----------------------------------------------------------------

variable "smtp_host" {
  description = "SMTP relay host (SMTP_HOST, a plain var); the Worker connects with TLS on port 465."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.smtp_host))
    error_message = "smtp_host must be a host name."
  }
}

variable "smtp_username" {
  description = "SMTP user name (SMTP_USERNAME)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.smtp_username) > 0
    error_message = "smtp_username must not be empty."
  }
}

variable "smtp_password" {
  description = "SMTP password (SMTP_PASSWORD)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.smtp_password) > 0
    error_message = "smtp_password must not be empty."
  }
}

variable "mail_from" {
  description = "Sender address (MAIL_FROM, a plain var)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.mail_from))
    error_message = "mail_from must be an e-mail address."
  }
}

# --- Reference registries (Crossref, NCBI E-utilities) ----------------------------------------------------------

variable "references_contact_email" {
  description = "Contact for Crossref and NCBI (REFERENCES_CONTACT_EMAIL, a plain var): Crossref's polite-pool mailto and NCBI's email parameter."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.references_contact_email))
    error_message = "references_contact_email must be an e-mail address."
  }
}

variable "ncbi_tool" {
  description = "NCBI E-utilities tool name (NCBI_TOOL, a plain var), registered with NCBI together with the contact e-mail."
  type        = string
  default     = "vitalis"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.ncbi_tool))
    error_message = "ncbi_tool must be a short name without spaces."
  }
}

variable "ncbi_api_key" {
  description = "Optional NCBI API key (NCBI_API_KEY, a secret): 10 instead of 3 E-utilities requests a second. Empty = none."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.ncbi_api_key == "" || can(regex("^[A-Za-z0-9]{16,64}$", var.ncbi_api_key))
    error_message = "ncbi_api_key must be empty or an NCBI API key."
  }
}

variable "cache_purge_permission_group_id" {
  description = "Id of Cloudflare's \"Cache Purge\" API token permission group (zone scope), the only permission of the Worker's purge token."
  type        = string
  default     = "e17beae8b8cb423a99b1730f21238bed"

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.cache_purge_permission_group_id))
    error_message = "cache_purge_permission_group_id must be a 32-character hexadecimal Cloudflare id."
  }
}
