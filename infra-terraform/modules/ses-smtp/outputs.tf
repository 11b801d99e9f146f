output "smtp_host" {
  description = "SES SMTP endpoint of the region (the Worker's SMTP_HOST)."
  value       = local.smtp_host
}

output "smtp_username" {
  description = "SMTP user name: the IAM access key id (the Worker's SMTP_USERNAME)."
  value       = aws_iam_access_key.smtp.id
  sensitive   = true
}

output "smtp_password" {
  description = "SES SMTP password derived from the access key for the region (the Worker's SMTP_PASSWORD)."
  value       = aws_iam_access_key.smtp.ses_smtp_password_v4
  sensitive   = true
}

output "mail_from" {
  description = "The sender address (the Worker's MAIL_FROM)."
  value       = var.mail_from_address
}

output "dkim_records" {
  description = "CNAME records to publish in the sending domain's DNS for Easy DKIM."
  value = [for token in aws_sesv2_email_identity.sender.dkim_signing_attributes[0].tokens : {
    name  = "${token}._domainkey.${var.mail_from_domain}"
    type  = "CNAME"
    value = "${token}.dkim.amazonses.com"
  }]
}

output "user_arn" {
  description = "ARN of the sending IAM user."
  value       = aws_iam_user.smtp.arn
}

output "policy_json" {
  description = "The sending user's inline policy, for review."
  value       = data.aws_iam_policy_document.smtp.json
}
