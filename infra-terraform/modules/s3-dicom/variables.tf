variable "bucket_name" {
  description = "Name of the bucket holding DICOM studies and media (object keys: <retention-prefix><tenant>/<yyyy>/<mm>/<random-id>)."
  type        = string

  validation {
    # S3 bucket naming rules: 3-63 characters, lowercase letters, digits, dots and hyphens.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits or hyphens (no dots: they break virtual-hosted TLS)."
  }
}

variable "access_log_bucket_name" {
  description = "Name of the bucket that receives S3 server access logs of the DICOM bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.access_log_bucket_name))
    error_message = "access_log_bucket_name must be 3-63 lowercase letters, digits or hyphens."
  }
}

variable "admin_origin" {
  description = "The admin SPA origin (scheme://host[:port], no path) allowed by CORS to PUT and GET objects with presigned URLs."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?$", var.admin_origin))
    error_message = "admin_origin must be a single https:// origin without path, trailing slash or wildcard."
  }
}

variable "cors_max_age_seconds" {
  description = "How long browsers may cache the CORS preflight answer, in seconds."
  type        = number
  default     = 3000

  validation {
    condition     = var.cors_max_age_seconds >= 0 && var.cors_max_age_seconds <= 86400
    error_message = "cors_max_age_seconds must be between 0 and 86400."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a scheduled deletion of the bucket's KMS key takes effect (7-30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30 (AWS KMS limits)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
