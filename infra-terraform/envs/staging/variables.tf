variable "environment" {
  description = "Name of this environment."
  type        = string
  default     = "staging"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "aws_region" {
  description = "AWS region of the bucket and KMS key; sa-east-1 keeps Brazilian health data in Brazil (LGPD art. 33)."
  type        = string
  default     = "sa-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as sa-east-1."
  }
}

variable "neon_region_id" {
  description = "Neon region of the database; keep it next to aws_region and the Upstash primary region."
  type        = string
  default     = "aws-sa-east-1"

  validation {
    condition     = can(regex("^(aws|azure)-[a-z0-9-]+$", var.neon_region_id))
    error_message = "neon_region_id must be a Neon region id such as aws-sa-east-1."
  }
}

variable "upstash_primary_region" {
  description = "Upstash primary region, the one closest to the Neon database."
  type        = string
  default     = "sa-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.upstash_primary_region))
    error_message = "upstash_primary_region must be a region name such as sa-east-1."
  }
}

variable "cloudflare_account_id" {
  description = "Cloudflare account id."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.cloudflare_account_id))
    error_message = "cloudflare_account_id must be a 32-character hexadecimal id."
  }
}

variable "cloudflare_zone_id" {
  description = "Cloudflare zone id of the hostnames."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.cloudflare_zone_id))
    error_message = "cloudflare_zone_id must be a 32-character hexadecimal id."
  }
}

variable "worker_name" {
  description = "Worker name; wrangler names the staging environment's Worker `<name>-staging`."
  type        = string
  default     = "vitalis-staging"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.worker_name))
    error_message = "worker_name must be lowercase letters, digits or hyphens."
  }
}

variable "hostnames" {
  description = "Hostnames the Worker serves (public tenant sites and the admin host)."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0
    error_message = "hostnames must not be empty."
  }
}

variable "admin_origin" {
  description = "Origin of the admin SPA (https://host), the only origin allowed by the bucket's CORS rule."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?$", var.admin_origin))
    error_message = "admin_origin must be a single https:// origin without path or wildcard."
  }
}

variable "bucket_name" {
  description = "Name of the DICOM and media bucket."
  type        = string
  default     = "vitalis-staging-dicom"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits or hyphens."
  }
}

variable "access_log_bucket_name" {
  description = "Name of the bucket receiving the DICOM bucket's server access logs."
  type        = string
  default     = "vitalis-staging-dicom-access-logs"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.access_log_bucket_name))
    error_message = "access_log_bucket_name must be 3-63 lowercase letters, digits or hyphens."
  }
}

variable "upstash_email" {
  description = "Email of the Upstash account that owns the database."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.upstash_email))
    error_message = "upstash_email must be an email address."
  }
}

variable "upstash_api_key" {
  description = "Upstash management API key; pass it as TF_VAR_upstash_api_key, never in a file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.upstash_api_key) > 0
    error_message = "upstash_api_key must not be empty."
  }
}

variable "mail_from_domain" {
  description = "Domain the Worker sends mail from, verified in SES with Easy DKIM (publish the dkim_records output)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.mail_from_domain))
    error_message = "mail_from_domain must be a lowercase domain name such as clinic.example."
  }
}

variable "mail_from_address" {
  description = "The Worker's sender address (MAIL_FROM), in mail_from_domain, e.g. noreply@clinic.example."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9._+-]+@([a-z0-9-]+\\.)+[a-z]{2,}$", var.mail_from_address))
    error_message = "mail_from_address must be a lowercase e-mail address such as noreply@clinic.example."
  }
}

variable "references_contact_email" {
  description = "Who Crossref and NCBI may contact about the Worker's reference look-ups (REFERENCES_CONTACT_EMAIL)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+$", var.references_contact_email))
    error_message = "references_contact_email must be an e-mail address."
  }
}

variable "ncbi_api_key" {
  description = "Optional NCBI API key (NCBI_API_KEY): 10 instead of 3 E-utilities requests a second. Empty = none."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.ncbi_api_key == "" || can(regex("^[A-Za-z0-9]{16,64}$", var.ncbi_api_key))
    error_message = "ncbi_api_key must be empty or an NCBI API key."
  }
}
