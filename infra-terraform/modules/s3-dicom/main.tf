# DICOM studies and media, uploaded by the browser straight to presigned URLs.
# Lifecycle rules live in lifecycle.auto.tf.json, generated from schema/retention-policies.ts.

data "aws_caller_identity" "current" {}

locals {
  tags = merge(var.tags, { "vitalis:component" = "s3-dicom", "vitalis:data" = "phi" })
}

# --- Encryption key --------------------------------------------------------------------------------
# HIPAA 45 CFR 164.312(a)(2)(iv) (encryption at rest) and LGPD art. 46 (security measures): a customer
# managed key, so access to the plaintext is governed by IAM + key policy and every use is in CloudTrail.
resource "aws_kms_key" "dicom" {
  description             = "SSE-KMS key of ${var.bucket_name}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  tags                    = local.tags
}

resource "aws_kms_alias" "dicom" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.dicom.key_id
}

# --- The bucket --------------------------------------------------------------------------------------
# S3 Object Lock is enabled when the bucket is created (it cannot be turned off): the Worker anchors each daily
# audit checkpoint under audit/ in COMPLIANCE mode until the audit class's minimum age (5 years), and puts legal
# holds on the objects a legal hold covers, so neither a lifecycle rule nor anyone's DELETE removes them.
# No bucket-wide default retention on purpose: S3 applies a default to every new object of the bucket (it has no
# prefix filter), which would keep unconfirmed uploads, erased media and every other class for the audit period
# against the retention table and LGPD art. 16; the Worker sets the retention of each anchored object instead.
resource "aws_s3_bucket" "dicom" {
  bucket              = var.bucket_name
  object_lock_enabled = true
  tags                = local.tags

  lifecycle {
    # Medical records must survive a mistaken `terraform destroy` (Lei 13.787/2018 art. 6).
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "dicom" {
  bucket = aws_s3_bucket.dicom.id

  rule {
    # ACLs disabled: the bucket owner owns every object, access is decided by policies only.
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "dicom" {
  bucket                  = aws_s3_bucket.dicom.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "dicom" {
  bucket = aws_s3_bucket.dicom.id

  versioning_configuration {
    # Integrity of ePHI, 45 CFR 164.312(c)(1): an overwrite or delete keeps the previous version.
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "dicom" {
  bucket = aws_s3_bucket.dicom.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.dicom.arn
    }
    # S3 Bucket Keys cut KMS requests (and cost) for many small objects and DICOM multipart parts.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_cors_configuration" "dicom" {
  bucket = aws_s3_bucket.dicom.id

  cors_rule {
    # Only the admin SPA uploads and previews objects; public pages never read the bucket directly.
    allowed_origins = [var.admin_origin]
    allowed_methods = ["PUT", "GET"]
    allowed_headers = ["content-type", "content-md5", "x-amz-checksum-sha256", "x-amz-sdk-checksum-algorithm"]
    # Multipart upload: the browser must read each part's ETag to send CompleteMultipartUpload.
    expose_headers  = ["ETag"]
    max_age_seconds = var.cors_max_age_seconds
  }
}

resource "aws_s3_bucket_logging" "dicom" {
  bucket        = aws_s3_bucket.dicom.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "s3-access/${var.bucket_name}/"
}

data "aws_iam_policy_document" "dicom_bucket" {
  # Transmission security, 45 CFR 164.312(e)(1): refuse every request that is not over TLS.
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.dicom.arn,
      "${aws_s3_bucket.dicom.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "dicom" {
  bucket = aws_s3_bucket.dicom.id
  policy = data.aws_iam_policy_document.dicom_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.dicom]
}

# --- Access-log bucket -------------------------------------------------------------------------------
# Audit controls, 45 CFR 164.312(b): every request to the PHI bucket is logged. Server access logs can
# only be delivered to a bucket encrypted with SSE-S3 (AWS: SSE-KMS is not supported for the target
# bucket of server access logging), and with BucketOwnerEnforced the log delivery service is granted
# by bucket policy instead of ACLs. Expiration comes from the audit_security class (generated file).
resource "aws_s3_bucket" "access_logs" {
  bucket = var.access_log_bucket_name
  tags   = merge(local.tags, { "vitalis:data" = "audit" })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "AllowS3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/s3-access/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.dicom.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.access_logs.arn,
      "${aws_s3_bucket.access_logs.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
