# The four layer datasets of the BigQuery warehouse (docs/warehouse.md). The functions'
# EnsureDatasets finds them here, in var.region, and creates nothing.
#
# Access is granted with _iam_member resources only; no dataset has an access block,
# which would own the whole list.

locals {
  datasets = {
    meta     = "jobpulse ledger (pipeline_runs, check_results) and seed tables."
    staging  = "jobpulse staging layer: one run's clean postings, typed and validated."
    external = "jobpulse external layer: one row per posting (the newest version), merged run by run, and the rejects."
    core     = "jobpulse marts for Looker Studio: recruit, datajob, posting_skills, skill_demand_weekly, recruit_daily."
  }
}

resource "google_bigquery_dataset" "layer" {
  for_each = local.datasets

  project     = var.project_id
  dataset_id  = "${var.dataset_prefix}${each.key}"
  location    = var.region
  description = each.value

  labels = {
    layer = each.key
  }

  # Dropping a dataset with its tables is a decision for a person, not for an apply.
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

# The processor builds every layer.
resource "google_bigquery_dataset_iam_member" "processor_editor" {
  for_each = google_bigquery_dataset.layer

  project    = var.project_id
  dataset_id = each.value.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.processor.member
}

# The collector records a run that failed before its manifest in meta.pipeline_runs.
resource "google_bigquery_dataset_iam_member" "collector_meta_editor" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.layer["meta"].dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.collector.member
}

# The monitor reads the ledger: failed runs, the last successful run, failing checks.
resource "google_bigquery_dataset_iam_member" "monitor_meta_viewer" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.layer["meta"].dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.monitor.member
}

# Looker Studio readers of the marts (docs/looker.md, "Permissions").
resource "google_bigquery_dataset_iam_member" "report_viewer" {
  for_each = toset(var.report_viewers)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.layer["core"].dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}
