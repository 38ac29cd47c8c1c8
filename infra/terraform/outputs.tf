# Outputs, and the Looker Studio link.

# The Looker Studio Linking API URL that `jobpulse looker-link` prints for this
# warehouse: the same data sources, aliases, names and parameter order as
# internal/looker (DefaultSources, ReportURL), each value percent-encoded with a space
# as %20. A mart added to looker.DefaultSources is added here too; the Go test of this
# folder compares both.
locals {
  looker_sources = [
    { alias = "ds0", table = "recruit", name = "jobpulse · postings (core.recruit)" },
    { alias = "ds1", table = "datajob", name = "jobpulse · data jobs (core.datajob)" },
    { alias = "ds2", table = "posting_skills", name = "jobpulse · posting skills (core.posting_skills)" },
    { alias = "ds3", table = "skill_demand_weekly", name = "jobpulse · weekly skill demand (core.skill_demand_weekly)" },
    { alias = "ds4", table = "recruit_daily", name = "jobpulse · daily postings (core.recruit_daily)" },
  ]

  looker_params = concat(
    var.looker_template_id == "" ? [] : ["c.reportId=${replace(urlencode(var.looker_template_id), "+", "%20")}"],
    var.looker_report_name == "" ? [] : ["r.reportName=${replace(urlencode(var.looker_report_name), "+", "%20")}"],
    flatten([for s in local.looker_sources : [
      "ds.${s.alias}.connector=bigQuery",
      "ds.${s.alias}.type=TABLE",
      "ds.${s.alias}.projectId=${replace(urlencode(var.project_id), "+", "%20")}",
      "ds.${s.alias}.datasetId=${replace(urlencode("${var.dataset_prefix}core"), "+", "%20")}",
      "ds.${s.alias}.tableId=${replace(urlencode(s.table), "+", "%20")}",
      "ds.${s.alias}.datasourceName=${replace(urlencode(s.name), "+", "%20")}",
    ]]),
  )

  looker_studio_link = "https://lookerstudio.google.com/reporting/create?${join("&", local.looker_params)}"
}

output "collect_saramin_uri" {
  description = "URL of CollectSaramin. Only the scheduler service account may call it; see docs/deploy.md for a manual call."
  value       = google_cloudfunctions2_function.collect["saramin"].service_config[0].uri
}

output "collect_uris" {
  description = "URLs of the collectors by source (saramin, trends, certifications). Only the scheduler service account may call them."
  value       = { for k, f in google_cloudfunctions2_function.collect : k => f.service_config[0].uri }
}

output "process_run_uri" {
  description = "URL of ProcessRun (internal ingress: reachable only through its Eventarc trigger)."
  value       = google_cloudfunctions2_function.process_run.service_config[0].uri
}

output "function_names" {
  description = "Function names, for gcloud functions describe/logs."
  value = {
    collect_saramin        = google_cloudfunctions2_function.collect["saramin"].name
    collect_trends         = google_cloudfunctions2_function.collect["trends"].name
    collect_certifications = google_cloudfunctions2_function.collect["certifications"].name
    process_run            = google_cloudfunctions2_function.process_run.name
  }
}

output "scheduler_job" {
  description = "Cloud Scheduler job that starts a Saramin collect run (gcloud scheduler jobs run NAME --location REGION)."
  value       = google_cloud_scheduler_job.collect["saramin"].name
}

output "scheduler_jobs" {
  description = "Cloud Scheduler jobs by source (saramin, trends, certifications), each starting a collect run (gcloud scheduler jobs run NAME --location REGION)."
  value       = { for k, j in google_cloud_scheduler_job.collect : k => j.name }
}

output "lake_bucket" {
  description = "Name of the lake bucket."
  value       = google_storage_bucket.lake.name
}

output "lake_url" {
  description = "JOBPULSE_LAKE of the functions, for running the CLI against the same lake."
  value       = local.lake_url
}

output "warehouse_url" {
  description = "JOBPULSE_WAREHOUSE of the functions, for running the CLI (jobpulse runs, checks, sql query) against the same warehouse."
  value       = local.warehouse_url
}

output "source_bucket" {
  description = "Bucket of the function source zips (src-<md5>.zip), kept for roll backs."
  value       = google_storage_bucket.source.name
}

output "source_object" {
  description = "Source zip the functions are built from."
  value       = google_storage_bucket_object.src.name
}

output "datasets" {
  description = "BigQuery datasets by layer."
  value       = { for layer, ds in google_bigquery_dataset.layer : layer => ds.dataset_id }
}

output "secrets" {
  description = "Secret Manager secrets whose versions an operator adds (docs/deploy.md, \"Secrets\")."
  value = {
    SARAMIN_ACCESS_KEY = google_secret_manager_secret.saramin_access_key.secret_id
    QNET_SERVICE_KEY   = google_secret_manager_secret.qnet_service_key.secret_id
    SLACK_WEBHOOK_URL  = google_secret_manager_secret.slack_webhook_url.secret_id
  }
}

output "service_accounts" {
  description = "Service account emails by role."
  value = {
    collector = google_service_account.collector.email
    processor = google_service_account.processor.email
    trigger   = google_service_account.trigger.email
    scheduler = google_service_account.scheduler.email
    monitor   = google_service_account.monitor.email
    builder   = google_service_account.builder.email
  }
}

output "monitor_vm" {
  description = "Name of the monitor VM, or null when create_monitor_vm is false."
  value       = var.create_monitor_vm ? google_compute_instance.monitor[0].name : null
}

output "looker_studio_link" {
  description = "Opens Looker Studio with a new report over the core marts (the URL `jobpulse looker-link` prints). Open it as someone with bigquery.dataViewer on the core dataset and bigquery.jobUser on the project (report_viewers)."
  value       = local.looker_studio_link
}
