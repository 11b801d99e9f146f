variable "user_name" {
  description = "Name of the IAM user whose access key the Worker uses to presign S3 URLs (Workers cannot assume roles through instance metadata)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.user_name))
    error_message = "user_name must be 1-64 characters of A-Z a-z 0-9 +=,.@_- (IAM naming rules)."
  }
}

variable "bucket_arn" {
  description = "ARN of the DICOM and media bucket the Worker presigns for."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:s3:::[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN (arn:aws:s3:::name), without wildcards."
  }
}

variable "object_prefixes" {
  description = "Object-key prefixes the Worker may touch (the retention-class prefixes, from the s3-dicom module)."
  type        = list(string)

  validation {
    condition     = length(var.object_prefixes) > 0 && alltrue([for p in var.object_prefixes : can(regex("^[a-z0-9][a-z0-9-]*/$", p))])
    error_message = "object_prefixes must be non-empty and each look like \"name/\" (no wildcards, no leading slash)."
  }
}

variable "audit_object_prefix" {
  description = "Prefix of the anchored audit checkpoints (one of object_prefixes): only PutObject, PutObjectRetention and GetObject there."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*/$", var.audit_object_prefix))
    error_message = "audit_object_prefix must look like \"name/\" (no wildcards, no leading slash)."
  }
}

variable "legal_hold_prefixes" {
  description = "Prefixes (among object_prefixes, never the audit one) whose objects the Worker may put under or release from an S3 legal hold."
  type        = list(string)

  validation {
    condition     = length(var.legal_hold_prefixes) > 0 && alltrue([for p in var.legal_hold_prefixes : can(regex("^[a-z0-9][a-z0-9-]*/$", p))])
    error_message = "legal_hold_prefixes must be non-empty and each look like \"name/\" (no wildcards, no leading slash)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the bucket's SSE-KMS key."
  type        = string

  validation {
    condition     = can(regex("^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "bucket_region" {
  description = "Region of the bucket; KMS use is limited to requests made through S3 in this region."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.bucket_region))
    error_message = "bucket_region must be an AWS region name such as sa-east-1."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
