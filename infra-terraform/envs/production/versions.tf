terraform {
  required_version = ">= 1.10.0"

  # Remote state with locking: S3 conditional writes (use_lockfile, Terraform >= 1.10), no DynamoDB.
  # The bucket comes from infra-terraform/bootstrap. Backend blocks cannot read variables: override
  # with `terraform init -backend-config=...` if the bucket is named differently.
  backend "s3" {
    bucket       = "vitalis-terraform-state"
    key          = "production/terraform.tfstate"
    region       = "sa-east-1"
    encrypt      = true
    use_lockfile = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.14"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.19"
    }
    neon = {
      source  = "kislerdm/neon"
      version = "~> 0.13.0"
    }
    upstash = {
      source  = "upstash/upstash"
      version = "~> 2.1"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}

# Credentials come from the environment, never from files: AWS_PROFILE or the AWS_* variables,
# CLOUDFLARE_API_TOKEN, NEON_API_KEY, and TF_VAR_upstash_api_key for Upstash.
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      "vitalis:environment" = var.environment
      "vitalis:managed-by"  = "terraform"
    }
  }
}

provider "cloudflare" {}

provider "neon" {}

provider "upstash" {
  email   = var.upstash_email
  api_key = var.upstash_api_key
}
