# An optional small VM for jobpulse-monitor (DESIGN §7), running as the monitor service
# account (iam.tf). Off by default: the monitor can as well run on an operator's host
# with that account's credentials. Installing the monitor and its systemd unit is a
# step of docs/deploy.md, not of Terraform.

locals {
  monitor_zone = var.monitor_zone != "" ? var.monitor_zone : "${var.region}-a"
}

resource "google_compute_instance" "monitor" {
  count = var.create_monitor_vm ? 1 : 0

  name         = "jobpulse-monitor"
  project      = var.project_id
  zone         = local.monitor_zone
  machine_type = var.monitor_machine_type
  description  = "Runs jobpulse-monitor: host metrics, the pipeline ledger and the functions' state, alerts to Slack."

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
      size  = 10
      type  = "pd-balanced"
    }
  }

  # An ephemeral external address for egress (Slack, Google APIs); no inbound rule is
  # added, and the monitor serves /metrics and /healthz on loopback only.
  network_interface {
    network = "default"
    access_config {}
  }

  service_account {
    email  = google_service_account.monitor.email
    scopes = ["cloud-platform"]
  }

  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  depends_on = [google_project_service.apis]
}
