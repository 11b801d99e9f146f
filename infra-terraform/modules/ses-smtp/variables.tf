variable "user_name" {
  description = "Name of the IAM user whose SES SMTP credentials the Worker sends mail with."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.user_name))
    error_message = "user_name must be 1-64 characters of A-Z a-z 0-9 +=,.@_- (IAM naming rules)."
  }
}

variable "region" {
  description = "SES region (its SMTP endpoint is email-smtp.<region>.amazonaws.com); sa-east-1 keeps mail processing in Brazil."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as sa-east-1."
  }
}

variable "mail_from_domain" {
  description = "Domain verified as an SES identity (Easy DKIM); the sender address must be in it."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.mail_from_domain))
    error_message = "mail_from_domain must be a lowercase domain name such as clinic.example."
  }
}

variable "mail_from_address" {
  description = "The only address the Worker may send as (the Worker's MAIL_FROM), e.g. noreply@clinic.example."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9._+-]+@([a-z0-9-]+\\.)+[a-z]{2,}$", var.mail_from_address))
    error_message = "mail_from_address must be a lowercase e-mail address such as noreply@clinic.example."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
