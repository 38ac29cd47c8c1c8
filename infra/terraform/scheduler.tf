# Cloud Scheduler calls CollectSaramin on collect_schedule with an OIDC token of the
# scheduler service account, whose audience is the function's URL. The function's
# Cloud Run service accepts the token because that account holds run.invoker on it
# (functions.tf); nobody else can call it.

resource "google_cloud_scheduler_job" "collect_saramin" {
  name        = "jobpulse-collect-saramin"
  project     = var.project_id
  region      = var.region
  description = "Calls CollectSaramin; the run it starts is processed by ProcessRun when its manifest lands."
  schedule    = var.collect_schedule
  time_zone   = var.schedule_time_zone
  paused      = var.collect_paused

  # The function's timeout plus a minute for the cold start and the response.
  attempt_deadline = "${var.collect_timeout_seconds + 60}s"

  # No retry: a failed run leaves its window uncommitted and the watermark where it was,
  # so the next scheduled run collects the same window again (docs/runbooks/collect-failed.md).
  # A retry right away would only spend quota on the same failure.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.collect_saramin.service_config[0].uri

    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.collect_saramin.service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.apis,
    google_cloud_run_v2_service_iam_member.scheduler_invokes_collect_saramin,
  ]
}
