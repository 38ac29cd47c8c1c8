# Secret Manager secrets: the containers only. Their values never pass through Terraform
# (nor its state); an operator adds them as versions (docs/deploy.md, "Secrets"):
#
#   printf '%s' "$KEY" | gcloud secrets versions add jobpulse-saramin-access-key --data-file=-
#
# The functions read version "latest" when an instance starts, so a new version reaches
# them without an apply. Each secret is readable only by the service accounts that use it.

resource "google_secret_manager_secret" "saramin_access_key" {
  project   = var.project_id
  secret_id = "jobpulse-saramin-access-key"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "qnet_service_key" {
  project   = var.project_id
  secret_id = "jobpulse-qnet-service-key"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "slack_webhook_url" {
  project   = var.project_id
  secret_id = "jobpulse-slack-webhook-url"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.apis]
}

# SARAMIN_ACCESS_KEY: the collector calls the Saramin API.
resource "google_secret_manager_secret_iam_member" "saramin_access_key_collector" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.saramin_access_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.collector.member
}

# QNET_SERVICE_KEY: the certifications collector (CollectCertifications, which runs as
# the collector service account) calls Q-Net's statistics service.
resource "google_secret_manager_secret_iam_member" "qnet_service_key_collector" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.qnet_service_key.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.collector.member
}

# SLACK_WEBHOOK_URL: every run posts its outcome; the collector posts the runs that fail
# before processing, the processor the others, the monitor its alerts.
resource "google_secret_manager_secret_iam_member" "slack_webhook_url_collector" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.slack_webhook_url.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.collector.member
}

resource "google_secret_manager_secret_iam_member" "slack_webhook_url_processor" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.slack_webhook_url.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.processor.member
}

resource "google_secret_manager_secret_iam_member" "slack_webhook_url_monitor" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.slack_webhook_url.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.monitor.member
}
