locals {
  name = "vitalis-${var.environment}"
}

module "neon" {
  source = "../../modules/neon"

  project_name       = local.name
  region_id          = var.neon_region_id
  autoscaling_min_cu = 0.25
  autoscaling_max_cu = 1
  # Staging holds synthetic data only: one day of point-in-time restore.
  history_retention_seconds = 86400
}

module "upstash" {
  source = "../../modules/upstash"

  database_name  = local.name
  primary_region = var.upstash_primary_region
}

module "s3_dicom" {
  source = "../../modules/s3-dicom"

  bucket_name            = var.bucket_name
  access_log_bucket_name = var.access_log_bucket_name
  admin_origin           = var.admin_origin
}

module "iam" {
  source = "../../modules/iam"

  user_name           = "${local.name}-presigner"
  bucket_arn          = module.s3_dicom.bucket_arn
  bucket_region       = module.s3_dicom.bucket_region
  object_prefixes     = module.s3_dicom.object_prefixes
  audit_object_prefix = module.s3_dicom.audit_object_prefix
  legal_hold_prefixes = module.s3_dicom.legal_hold_prefixes
  kms_key_arn         = module.s3_dicom.kms_key_arn
}

module "ses_smtp" {
  source = "../../modules/ses-smtp"

  user_name         = "${local.name}-smtp"
  region            = var.aws_region
  mail_from_domain  = var.mail_from_domain
  mail_from_address = var.mail_from_address
}

module "cloudflare_worker" {
  source = "../../modules/cloudflare-worker"

  account_id  = var.cloudflare_account_id
  zone_id     = var.cloudflare_zone_id
  worker_name = var.worker_name
  environment = var.environment
  hostnames   = var.hostnames

  database_url             = module.neon.app_database_url
  upstash_redis_rest_url   = module.upstash.rest_url
  upstash_redis_rest_token = module.upstash.rest_token
  s3_access_key_id         = module.iam.access_key_id
  s3_secret_access_key     = module.iam.secret_access_key
  s3_bucket                = module.s3_dicom.bucket_name
  s3_region                = module.s3_dicom.bucket_region
  smtp_host                = module.ses_smtp.smtp_host
  smtp_username            = module.ses_smtp.smtp_username
  smtp_password            = module.ses_smtp.smtp_password
  mail_from                = module.ses_smtp.mail_from
  references_contact_email = var.references_contact_email
  ncbi_api_key             = var.ncbi_api_key
}
