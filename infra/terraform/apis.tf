# APIs the deployment uses. serviceusage and cloudresourcemanager must be on before
# Terraform can turn on the others (docs/deploy.md, "APIs").
#
# Turning an API off on destroy would break whatever else in the project uses it, so
# destroy leaves them on.

locals {
  apis = toset(concat([
    "artifactregistry.googleapis.com", # images the function builds produce
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com", # builds the functions from the source zip
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com", # Eventarc delivers the storage events through Pub/Sub
    "run.googleapis.com",    # 2nd gen functions are Cloud Run services
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ], var.create_monitor_vm ? ["compute.googleapis.com"] : []))
}

resource "google_project_service" "apis" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
