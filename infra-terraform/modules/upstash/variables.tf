variable "database_name" {
  description = "Name of the Upstash Redis database."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,62}$", var.database_name))
    error_message = "database_name must be 3-63 lowercase letters, digits or hyphens."
  }
}

variable "primary_region" {
  description = "Primary region of the global database; choose the one closest to the Neon database (aws-sa-east-1 -> sa-east-1)."
  type        = string

  validation {
    condition     = contains(["us-east-1", "us-west-1", "us-west-2", "eu-central-1", "eu-west-1", "sa-east-1", "ap-southeast-1", "ap-southeast-2"], var.primary_region)
    error_message = "primary_region must be one of the Upstash global-database primary regions."
  }
}

variable "read_regions" {
  description = "Additional read regions (replicas) of the global database."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.read_regions : contains(["us-east-1", "us-west-1", "us-west-2", "eu-central-1", "eu-west-1", "sa-east-1", "ap-southeast-1", "ap-southeast-2"], r)])
    error_message = "read_regions must be Upstash regions."
  }
}

variable "budget_usd" {
  description = "Monthly budget cap in US dollars for the pay-as-you-go database."
  type        = number
  default     = 50

  validation {
    condition     = var.budget_usd >= 1
    error_message = "budget_usd must be at least 1."
  }
}
