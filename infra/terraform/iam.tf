# One service account per role, each with the least it needs. Every grant here is an
# _iam_member (additive): Terraform never takes over a whole IAM policy, and no grant is
# a basic role (owner, editor, viewer) or a public principal.
#
# Grants on one resource live next to it: dataset roles in bigquery.tf, secret access in
# secrets.tf, run.invoker on each function's Cloud Run service in functions.tf. This
# file holds the accounts, project-level roles and bucket roles.

resource "google_service_account" "collector" {
  project      = var.project_id
  account_id   = "jobpulse-collector"
  display_name = "jobpulse collectors (CollectSaramin, CollectTrends, CollectCertifications)"
  description  = "Runtime of the collector functions: writes raw pages, manifests and state to the lake."
}

resource "google_service_account" "processor" {
  project      = var.project_id
  account_id   = "jobpulse-processor"
  display_name = "jobpulse processor (ProcessRun)"
  description  = "Runtime of ProcessRun: normalizes a run and builds the BigQuery layers."
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "jobpulse-trigger"
  display_name = "jobpulse Eventarc trigger"
  description  = "Identity with which Eventarc delivers the lake's finalize events to ProcessRun."
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "jobpulse-scheduler"
  display_name = "jobpulse Cloud Scheduler"
  description  = "OIDC identity with which Cloud Scheduler calls the collector functions."
}

resource "google_service_account" "monitor" {
  project      = var.project_id
  account_id   = "jobpulse-monitor"
  display_name = "jobpulse monitor"
  description  = "jobpulse-monitor: reads the ledger and the functions' state, posts alerts to Slack."
}

resource "google_service_account" "builder" {
  project      = var.project_id
  account_id   = "jobpulse-builder"
  display_name = "jobpulse function builds"
  description  = "Cloud Build identity that builds the functions from the source zip."
}

# Project-level roles. BigQuery jobs are project resources: whoever runs a query or a
# load job needs bigquery.jobUser on the project; data access is granted per dataset.
resource "google_project_iam_member" "collector_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.collector.member
}

resource "google_project_iam_member" "processor_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.processor.member
}

resource "google_project_iam_member" "monitor_job_user" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.monitor.member
}

# The monitor watches the functions' state (ACTIVE, FAILED, …).
resource "google_project_iam_member" "monitor_functions_viewer" {
  project = var.project_id
  role    = "roles/cloudfunctions.viewer"
  member  = google_service_account.monitor.member
}

# Eventarc delivers events as the trigger account, which must be allowed to receive them
# (and, in functions.tf, to invoke ProcessRun).
resource "google_project_iam_member" "trigger_event_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

# Function builds write their logs and push the image to Artifact Registry.
resource "google_project_iam_member" "builder_log_writer" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.builder.member
}

resource "google_project_iam_member" "builder_registry_writer" {
  project = var.project_id
  role    = "roles/artifactregistry.writer"
  member  = google_service_account.builder.member
}

# Report readers run their queries in this project (docs/looker.md, "Permissions").
resource "google_project_iam_member" "report_viewer_job_user" {
  for_each = toset(var.report_viewers)

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value
}

# EnsureDatasets (internal/warehouse/bigquery), which both functions call before they
# write, asks BigQuery to create each layer dataset, takes "already exists" as success
# and then reads the dataset's location. BigQuery checks bigquery.datasets.create
# before it looks for the dataset, so both accounts need that permission even though
# Terraform made the datasets, and the collector, which reads no layer data, needs
# bigquery.datasets.get for the location. A custom role holds exactly these two.
resource "google_project_iam_custom_role" "dataset_ensurer" {
  project     = var.project_id
  role_id     = "jobpulseDatasetEnsurer"
  title       = "jobpulse dataset ensurer"
  description = "bigquery.datasets.create and .get: lets EnsureDatasets find the datasets Terraform made."
  permissions = ["bigquery.datasets.create", "bigquery.datasets.get"]
}

resource "google_project_iam_member" "collector_dataset_ensurer" {
  project = var.project_id
  role    = google_project_iam_custom_role.dataset_ensurer.name
  member  = google_service_account.collector.member
}

resource "google_project_iam_member" "processor_dataset_ensurer" {
  project = var.project_id
  role    = google_project_iam_custom_role.dataset_ensurer.name
  member  = google_service_account.processor.member
}

# Cloud Build reads the function source from the gcf-v2-sources-* bucket that Cloud
# Functions copies it to; the condition keeps the builder out of every other bucket.
resource "google_project_iam_member" "builder_source_reader" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = google_service_account.builder.member

  condition {
    title       = "gcf-sources-only"
    description = "Only the Cloud Functions source buckets."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")"
  }
}

# The lake: collector and processor read and write objects (the watermark and quota
# documents are overwritten in place under generation preconditions).
resource "google_storage_bucket_iam_member" "collector_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.collector.member
}

resource "google_storage_bucket_iam_member" "processor_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.processor.member
}

# Cloud Storage publishes the bucket's events to Pub/Sub for Eventarc as the project's
# Cloud Storage service agent.
data "google_storage_project_service_account" "gcs" {
  project = var.project_id

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "gcs_pubsub_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}
