# Terraform, providers and the state backend.
#
# The backend is a GCS bucket given at init time, so that the same files serve every
# project (docs/deploy.md, "State bucket"):
#
#   terraform init -backend-config="bucket=STATE_BUCKET" -backend-config="prefix=jobpulse"
#
# `terraform init -backend=false` skips it for a look around without state.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 8.0"
    }
    # 2.5.0 is the first release whose archive_file excludes take glob patterns.
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.5"
    }
  }

  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app        = "jobpulse"
    managed-by = "terraform"
  }
}
