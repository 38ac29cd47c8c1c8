# The lake bucket (raw pages, manifests, clean NDJSON, state, the Slack outbox) and the
# bucket of function source zips. Kept apart so that uploading a zip sends no event to
# ProcessRun.

locals {
  lake_bucket_name   = var.bucket_name != "" ? var.bucket_name : "${var.project_id}-jobpulse-lake"
  source_bucket_name = "${var.project_id}-jobpulse-src"

  # Where the lake keeps raw pages: <lake_prefix>/raw/<source>/dt=…/run=…/ (internal/lake).
  raw_prefix = var.lake_prefix == "" ? "raw/" : "${var.lake_prefix}/raw/"
}

resource "google_storage_bucket" "lake" {
  name     = local.lake_bucket_name
  project  = var.project_id
  location = var.region

  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # The lake is the only copy of the raw API responses: never delete it with the stack.
  force_destroy = false

  lifecycle_rule {
    condition {
      age                   = var.raw_nearline_after_days
      matches_prefix        = [local.raw_prefix]
      matches_storage_class = ["STANDARD"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.raw_delete_after_days > 0 ? [var.raw_delete_after_days] : []
    content {
      condition {
        age            = lifecycle_rule.value
        matches_prefix = [local.raw_prefix]
      }
      action {
        type = "Delete"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.raw_delete_after_days == 0 || var.raw_delete_after_days >= var.raw_nearline_after_days + 30
      error_message = "raw_delete_after_days must be 0 (never) or at least raw_nearline_after_days + 30: Nearline objects are billed for 30 days however early they are deleted."
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "source" {
  name     = local.source_bucket_name
  project  = var.project_id
  location = var.region

  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Old zips stay for a roll back (docs/deploy.md); they are a few megabytes each.
  force_destroy = true

  depends_on = [google_project_service.apis]
}
