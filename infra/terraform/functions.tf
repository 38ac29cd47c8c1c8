# The Cloud Functions (2nd gen). One zip of the repository serves every function: the Go
# buildpack builds the package at the module root, which registers every entry point
# (functions.go), and each function names its own.
#
# The zip holds what `go build .` at the root needs: go.mod, go.sum, the root package,
# functions/, internal/ and sql/ (embedded into the binary). Everything else stays
# out. Patterns are matched against paths relative to the repository root, and a
# matching directory is skipped whole.

data "archive_file" "src" {
  type             = "zip"
  source_dir       = "${path.module}/../.."
  output_path      = "${path.module}/.build/src.zip"
  output_file_mode = "0644"

  excludes = [
    ".git/**",
    ".github/**",
    ".ci/**",
    "cmd/**",
    "data/**",
    "docs/**",
    "infra/**",
    "tools/**",
    "bin/**",
    "jobpulse", # the binary of `go build ./cmd/jobpulse` at the root
    "**/node_modules/**",
    "**/testdata/**",
    "**/*_test.go",
    "**/*.test",
    "**/*.out",
  ]
}

# Named by the zip's hash, so that a change of the code is a new object and redeploys
# every function, and an unchanged tree redeploys nothing.
resource "google_storage_bucket_object" "src" {
  name   = "src-${data.archive_file.src.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.src.output_path
}

locals {
  # The zip the functions build from: this tree's, or an earlier one to roll back to.
  source_object = var.source_object != "" ? var.source_object : google_storage_bucket_object.src.name

  lake_url = var.lake_prefix == "" ? "gs://${google_storage_bucket.lake.name}" : "gs://${google_storage_bucket.lake.name}/${var.lake_prefix}"

  warehouse_url = "bigquery://${var.project_id}?location=${var.region}&dataset_prefix=${var.dataset_prefix}&max_bytes_billed=${var.max_bytes_billed}"

  # Settings every function reads (functions/environ, docs/configuration.md). The
  # functions always log JSON. The collectors write the runs that commit nothing to the
  # ledger, so they get the warehouse too.
  common_environment = {
    JOBPULSE_LAKE      = local.lake_url
    JOBPULSE_WAREHOUSE = local.warehouse_url
    JOBPULSE_LOG_LEVEL = var.log_level
  }

  # One environment for the three collectors: each reads the variables of its own
  # source (SARAMIN_*, TRENDS_*, QNET_*) and checks only those it needs.
  collect_environment = merge(var.collect_environment, local.common_environment, {
    SARAMIN_QUERY       = var.saramin_query
    SARAMIN_DAILY_QUOTA = tostring(var.saramin_daily_quota)
  })

  process_environment = merge(var.process_environment, local.common_environment, {
    JOBPULSE_CHECK_TIMEOUT = var.check_timeout
  })

  # The collect functions, alike but for these settings: each gets a Cloud Function, a
  # run.invoker grant for the scheduler account (below) and a scheduler job
  # (scheduler.tf). The keys are resource instance keys: renaming one replaces the
  # function and its job.
  collectors = {
    saramin = {
      function    = "jobpulse-collect-saramin"
      entry_point = "CollectSaramin"
      description = "Collects new Saramin postings into the lake (raw pages, then _MANIFEST.json)."
      schedule    = var.collect_schedule
      secrets     = ["SARAMIN_ACCESS_KEY", "SLACK_WEBHOOK_URL"]
    }
    trends = {
      function    = "jobpulse-collect-trends"
      entry_point = "CollectTrends"
      description = "Collects the Google Trends interest of the configured keywords into the lake (raw pages, then _MANIFEST.json)."
      schedule    = var.trends_schedule
      secrets     = ["SLACK_WEBHOOK_URL"]
    }
    certifications = {
      function    = "jobpulse-collect-certifications"
      entry_point = "CollectCertifications"
      description = "Collects Q-Net's yearly certification statistics into the lake (raw pages, then _MANIFEST.json)."
      schedule    = var.certifications_schedule
      secrets     = ["QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"]
    }
  }

  # The Secret Manager secret behind each secret environment variable (secrets.tf).
  secret_ids = {
    SARAMIN_ACCESS_KEY = google_secret_manager_secret.saramin_access_key.secret_id
    QNET_SERVICE_KEY   = google_secret_manager_secret.qnet_service_key.secret_id
    SLACK_WEBHOOK_URL  = google_secret_manager_secret.slack_webhook_url.secret_id
  }
}

# The collectors: HTTP, called by Cloud Scheduler (scheduler.tf). Scheduler calls arrive
# as external traffic, hence ALLOW_ALL ingress; IAM decides who may invoke (only the
# scheduler service account holds run.invoker) and nobody else gets in. Each mounts
# only its own source's key.
resource "google_cloudfunctions2_function" "collect" {
  for_each = local.collectors

  name        = each.value.function
  project     = var.project_id
  location    = var.region
  description = each.value.description

  build_config {
    runtime         = "go126"
    entry_point     = each.value.entry_point
    service_account = google_service_account.builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = local.source_object
      }
    }
  }

  service_config {
    service_account_email = google_service_account.collector.email
    available_memory      = var.collect_memory
    timeout_seconds       = var.collect_timeout_seconds
    # One run of a source at a time: two would read the same watermark, backlog and
    # quota count and race to update them.
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true

    environment_variables = local.collect_environment

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)

      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = local.secret_ids[secret_environment_variables.value]
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.builder_log_writer,
    google_project_iam_member.builder_registry_writer,
    google_project_iam_member.builder_source_reader,
    google_project_iam_member.collector_job_user,
    google_project_iam_member.collector_dataset_ensurer,
    google_storage_bucket_iam_member.collector_lake,
    google_bigquery_dataset_iam_member.collector_meta_editor,
    google_secret_manager_secret_iam_member.saramin_access_key_collector,
    google_secret_manager_secret_iam_member.qnet_service_key_collector,
    google_secret_manager_secret_iam_member.slack_webhook_url_collector,
  ]
}

# CollectSaramin was a resource of its own before the collectors became one for_each:
# these keep its function, grant and job in the state instead of replacing them.
moved {
  from = google_cloudfunctions2_function.collect_saramin
  to   = google_cloudfunctions2_function.collect["saramin"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.scheduler_invokes_collect_saramin
  to   = google_cloud_run_v2_service_iam_member.scheduler_invokes_collect["saramin"]
}

# ProcessRun: CloudEvent, on every object finalized in the lake bucket. The handler
# processes raw _MANIFEST.json objects and ignores the rest; Eventarc cannot filter on
# the object name. Retries are on: a transient failure returns an error and the event
# comes back (for up to 24 hours); a permanent one is reported and acknowledged.
resource "google_cloudfunctions2_function" "process_run" {
  name        = "jobpulse-process-run"
  project     = var.project_id
  location    = var.region
  description = "Processes a committed raw run into the BigQuery layers when its manifest lands."

  build_config {
    runtime         = "go126"
    entry_point     = "ProcessRun"
    service_account = google_service_account.builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = local.source_object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.processor.email
    available_memory                 = var.process_memory
    timeout_seconds                  = var.process_timeout_seconds
    min_instance_count               = 0
    max_instance_count               = var.process_max_instances
    max_instance_request_concurrency = 1
    # Eventarc's deliveries count as internal traffic.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true

    environment_variables = local.process_environment

    secret_environment_variables {
      key        = "SLACK_WEBHOOK_URL"
      project_id = var.project_id
      secret     = google_secret_manager_secret.slack_webhook_url.secret_id
      version    = "latest"
    }
  }

  event_trigger {
    # Eventarc must listen where the bucket is. The provider reports bucket locations in
    # upper case; trigger regions are lower case.
    trigger_region        = lower(google_storage_bucket.lake.location)
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.lake.name
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.builder_log_writer,
    google_project_iam_member.builder_registry_writer,
    google_project_iam_member.builder_source_reader,
    google_project_iam_member.processor_job_user,
    google_project_iam_member.processor_dataset_ensurer,
    google_project_iam_member.trigger_event_receiver,
    google_project_iam_member.gcs_pubsub_publisher,
    google_storage_bucket_iam_member.processor_lake,
    google_bigquery_dataset_iam_member.processor_editor,
    google_secret_manager_secret_iam_member.slack_webhook_url_processor,
  ]
}

# Who may call each function: run.invoker on the function's Cloud Run service, for one
# service account each. (roles/cloudfunctions.invoker is for 1st gen functions.)
resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes_collect" {
  for_each = google_cloudfunctions2_function.collect

  project  = var.project_id
  location = each.value.location
  name     = each.value.service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invokes_process_run" {
  project  = var.project_id
  location = google_cloudfunctions2_function.process_run.location
  name     = google_cloudfunctions2_function.process_run.service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}
