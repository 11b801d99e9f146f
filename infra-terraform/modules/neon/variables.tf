variable "project_name" {
  description = "Name of the Neon project (one project per environment)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,62}$", var.project_name))
    error_message = "project_name must be 3-63 lowercase letters, digits or hyphens."
  }
}

variable "region_id" {
  description = "Neon region, e.g. aws-sa-east-1 (Brazilian data stays in Brazil unless a transfer basis exists, LGPD art. 33)."
  type        = string

  validation {
    condition     = can(regex("^(aws|azure)-[a-z0-9-]+$", var.region_id))
    error_message = "region_id must be a Neon region id such as aws-sa-east-1 or aws-us-east-2."
  }
}

variable "pg_version" {
  description = "PostgreSQL major version."
  type        = number
  default     = 17

  validation {
    condition     = contains([16, 17], var.pg_version)
    error_message = "pg_version must be 16 or 17."
  }
}

variable "branch_name" {
  description = "Name of the project's default branch, the one the Worker uses."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.branch_name))
    error_message = "branch_name must be lowercase letters, digits or hyphens."
  }
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
  default     = "vitalis"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be a lowercase PostgreSQL identifier."
  }
}

variable "owner_role_name" {
  description = "Role that owns the database and its tables; used only by migrations (npm run db:migrate)."
  type        = string
  default     = "vitalis_owner"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.owner_role_name))
    error_message = "owner_role_name must be a lowercase PostgreSQL identifier."
  }
}

variable "app_role_name" {
  description = "Role the Worker connects as: no BYPASSRLS, owns nothing, so row-level security applies to it."
  type        = string
  default     = "vitalis_app"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.app_role_name))
    error_message = "app_role_name must be a lowercase PostgreSQL identifier."
  }
}

variable "history_retention_seconds" {
  description = "Point-in-time restore window of the project, in seconds."
  type        = number
  default     = 604800

  validation {
    condition     = var.history_retention_seconds >= 0 && var.history_retention_seconds <= 2592000
    error_message = "history_retention_seconds must be between 0 and 2592000 (30 days)."
  }
}

variable "autoscaling_min_cu" {
  description = "Minimum compute units of the default endpoint."
  type        = number
  default     = 0.25

  validation {
    condition     = var.autoscaling_min_cu >= 0.25 && var.autoscaling_min_cu <= 16
    error_message = "autoscaling_min_cu must be between 0.25 and 16."
  }
}

variable "autoscaling_max_cu" {
  description = "Maximum compute units of the default endpoint."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_max_cu >= 0.25 && var.autoscaling_max_cu <= 16
    error_message = "autoscaling_max_cu must be between 0.25 and 16."
  }
}

variable "suspend_timeout_seconds" {
  description = "Idle seconds before the compute suspends (0 = Neon default, -1 = never)."
  type        = number
  default     = 0

  validation {
    condition     = var.suspend_timeout_seconds >= -1 && var.suspend_timeout_seconds <= 604800
    error_message = "suspend_timeout_seconds must be between -1 and 604800."
  }
}
