# Outgoing mail through Amazon SES's SMTP interface: the sending domain's identity (Easy DKIM) and an IAM
# user whose access key, converted by the provider into an SES SMTP password (SigV4), becomes the Worker's
# SMTP_USERNAME / SMTP_PASSWORD. The Worker speaks SMTP itself (functions/lib/mailer.ts), so any relay works;
# SES is the one wired here. TLS from the first byte on port 465: worker-mailer's STARTTLS would go on in the
# clear if the offer were stripped (docs/design-notes.md).
#
# Not done here on purpose: the DKIM CNAME records (the sending domain need not be a Cloudflare zone of this
# stack; `dkim_records` lists them) and leaving the SES sandbox (an AWS support request, per account and region).

locals {
  smtp_host = "email-smtp.${var.region}.amazonaws.com"
}

resource "aws_sesv2_email_identity" "sender" {
  email_identity = var.mail_from_domain
  tags           = merge(var.tags, { "vitalis:component" = "mail" })

  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

resource "aws_iam_user" "smtp" {
  name = var.user_name
  path = "/vitalis/"
  tags = merge(var.tags, { "vitalis:component" = "worker-smtp" })
}

# The secret lands in the Terraform state (encrypted, access-restricted) and from there in a Worker secret;
# rotate by replacing this resource and re-running the secret flow (infra-terraform/README.md).
resource "aws_iam_access_key" "smtp" {
  user = aws_iam_user.smtp.name
}

# Sending only, only from the one identity, and only as the configured sender address.
data "aws_iam_policy_document" "smtp" {
  statement {
    sid       = "SendAsTheSenderOnly"
    effect    = "Allow"
    actions   = ["ses:SendRawEmail"]
    resources = [aws_sesv2_email_identity.sender.arn]

    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.mail_from_address]
    }
  }
}

resource "aws_iam_user_policy" "smtp" {
  name   = "vitalis-send-mail"
  user   = aws_iam_user.smtp.name
  policy = data.aws_iam_policy_document.smtp.json
}
