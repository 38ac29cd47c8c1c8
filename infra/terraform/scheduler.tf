# Cloud Scheduler calls each collector (functions.tf, local.collectors) on its schedule
# with an OIDC token of the scheduler service account, whose audience is the function's
# URL. The function's Cloud Run service accepts the token because that account holds
# run.invoker on it (functions.tf); nobody else can call it.
#
# Saramin is collected every 30 minutes within its daily quota; Google Trends once a
# day (a full pass at most every TRENDS_MIN_INTERVAL, 20h by default, so a daily call
# refreshes it daily and retries its backlog); Q-Net once a week (a full pass at most
# every QNET_MIN_INTERVAL, 7 days by default; the statistics change once a year, and
# the weekly call retries the exams a run could not fetch). A call that finds its
# source fresh answers not_due and records nothing.

resource "google_cloud_scheduler_job" "collect" {
  for_each = local.collectors

  name        = each.value.function
  project     = var.project_id
  region      = var.region
  description = "Calls ${each.value.entry_point}; the run it starts is processed by ProcessRun when its manifest lands."
  schedule    = each.value.schedule
  time_zone   = var.schedule_time_zone
  paused      = var.collect_paused

  # The function's timeout plus a minute for the cold start and the response.
  attempt_deadline = "${var.collect_timeout_seconds + 60}s"

  # No retry: a failed run leaves its work uncommitted and its state where it was, so
  # the next scheduled run does the same work again (docs/runbooks/collect-failed.md).
  # A retry right away would only spend quota on the same failure.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.collect[each.key].service_config[0].uri

    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.collect[each.key].service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.apis,
    google_cloud_run_v2_service_iam_member.scheduler_invokes_collect,
  ]
}

moved {
  from = google_cloud_scheduler_job.collect_saramin
  to   = google_cloud_scheduler_job.collect["saramin"]
}
