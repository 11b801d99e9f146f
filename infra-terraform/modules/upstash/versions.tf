terraform {
  required_version = ">= 1.10.0"

  required_providers {
    upstash = {
      source  = "upstash/upstash"
      version = "~> 2.1"
    }
  }
}
