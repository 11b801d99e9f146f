# The identity the Worker presigns S3 URLs with. A presigned URL carries the signer's permissions, so
# this identity holds exactly what the upload and download flows use and nothing more
# (HIPAA 45 CFR 164.312(a)(1) access control; NIST SP 800-207 least privilege).
#
# Object Lock: the Worker writes the anchored audit checkpoints under audit/ with a COMPLIANCE retention
# (s3:PutObject + s3:PutObjectRetention there, and nothing else there: no delete, no tagging), and sets or
# clears legal holds on the objects of the prefixes a hold can reach (medical records, imaging, HIPAA
# documentation) when a legal hold is placed or released (s3:PutObjectLegalHold, s3:GetObjectLegalHold). Not granted on purpose: s3:GetObjectVersion / s3:DeleteObjectVersion (only
# lifecycle rules remove versions), s3:BypassGovernanceRetention, s3:PutBucketObjectLockConfiguration,
# s3:PutLifecycleConfiguration, s3:PutBucket*.
# There is no s3:HeadBucket IAM action: HeadBucket is authorised by s3:ListBucket.

locals {
  # Every retention prefix but the audit one, whose objects the Worker writes once and never changes.
  object_arns = [for prefix in var.object_prefixes : "${var.bucket_arn}/${prefix}*" if prefix != var.audit_object_prefix]
  audit_arn   = "${var.bucket_arn}/${var.audit_object_prefix}*"
  # The prefixes whose classes a legal hold can stop (schema/retention-policies.ts, legalHoldPossible), audit/ never.
  legal_hold_arns = [for prefix in var.legal_hold_prefixes : "${var.bucket_arn}/${prefix}*" if prefix != var.audit_object_prefix]
}

resource "aws_iam_user" "presigner" {
  name = var.user_name
  path = "/vitalis/"
  tags = merge(var.tags, { "vitalis:component" = "worker-presigner" })
}

# The secret lands in the Terraform state (the state bucket is encrypted and access-restricted) and
# from there in a Worker secret; rotate by tainting this resource and re-running the secret flow.
resource "aws_iam_access_key" "presigner" {
  user = aws_iam_user.presigner.name
}

data "aws_iam_policy_document" "presigner" {
  statement {
    sid    = "ObjectsOfRetentionPrefixes"
    effect = "Allow"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
      "s3:PutObjectTagging",
      "s3:GetObjectTagging",
    ]
    resources = local.object_arns
  }

  # ListBucket lets HeadObject answer 404 instead of 403 for a missing key (upload completion checks)
  # and authorises HeadBucket; limited to the same prefixes.
  statement {
    sid       = "ListRetentionPrefixes"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [for prefix in var.object_prefixes : "${prefix}*"]
    }
  }

  # SSE-KMS through S3: PUT needs GenerateDataKey (and Decrypt for multipart), GET needs Decrypt.
  statement {
    sid       = "BucketKeyThroughS3Only"
    effect    = "Allow"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.bucket_region}.amazonaws.com"]
    }
  }

  # Anchored audit checkpoints: written once under COMPLIANCE-mode Object Lock, read back by verification.
  statement {
    sid       = "AnchoredAuditCheckpoints"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"]
    resources = [local.audit_arn]
  }

  # Legal holds reach the bucket: placing a hold sets an S3 legal hold on each object it covers, releasing it
  # clears the holds nothing else covers.
  statement {
    sid       = "LegalHoldsOnHeldObjects"
    effect    = "Allow"
    actions   = ["s3:PutObjectLegalHold", "s3:GetObjectLegalHold"]
    resources = local.legal_hold_arns
  }
}

resource "aws_iam_user_policy" "presigner" {
  name   = "vitalis-presign-objects"
  user   = aws_iam_user.presigner.name
  policy = data.aws_iam_policy_document.presigner.json
}
