output "bucket_name" {
  description = "Name of the DICOM and media bucket (the Worker's S3_BUCKET)."
  value       = aws_s3_bucket.dicom.id
}

output "bucket_arn" {
  description = "ARN of the DICOM and media bucket."
  value       = aws_s3_bucket.dicom.arn
}

output "bucket_region" {
  description = "Region of the bucket (the Worker's S3_REGION)."
  value       = aws_s3_bucket.dicom.region
}

output "kms_key_arn" {
  description = "ARN of the KMS key used for SSE-KMS on the bucket."
  value       = aws_kms_key.dicom.arn
}

output "access_log_bucket_name" {
  description = "Name of the bucket holding the server access logs."
  value       = aws_s3_bucket.access_logs.id
}

output "object_prefixes" {
  description = "Object-key prefixes of the retention classes stored in the bucket, from schema/retention-policies.ts."
  value       = local.retention_object_prefixes
}

output "audit_object_prefix" {
  description = "Prefix of the anchored audit checkpoints (objects under COMPLIANCE-mode Object Lock), from schema/retention-policies.ts."
  value       = local.audit_object_prefix
}

output "legal_hold_prefixes" {
  description = "Prefixes of the classes whose objects legal holds reach (S3 legal hold per object), from schema/retention-policies.ts."
  value       = local.legal_hold_prefixes
}
