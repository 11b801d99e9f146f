output "user_arn" {
  description = "ARN of the presigning IAM user."
  value       = aws_iam_user.presigner.arn
}

output "access_key_id" {
  description = "Access key id of the presigning user (the Worker's S3_ACCESS_KEY_ID)."
  value       = aws_iam_access_key.presigner.id
  sensitive   = true
}

output "secret_access_key" {
  description = "Secret access key of the presigning user (the Worker's S3_SECRET_ACCESS_KEY)."
  value       = aws_iam_access_key.presigner.secret
  sensitive   = true
}

output "policy_json" {
  description = "The presigning user's inline policy, for review."
  value       = data.aws_iam_policy_document.presigner.json
}
