# Inputs. Only project_id is required; terraform.tfvars.example shows the rest.

variable "project_id" {
  description = "Google Cloud project that runs the functions and holds the bucket and the datasets."
  type        = string

  validation {
    # The rule of the app's BigQuery warehouse URL (internal/warehouse/bigquery).
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID: 6 to 30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "region" {
  description = "Region of the functions, the scheduler job, the lake bucket and the BigQuery datasets. One region for all: BigQuery reads the lake through external tables, which need the bucket and the datasets in the same location."
  type        = string
  default     = "asia-northeast3"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as asia-northeast3."
  }
}

variable "dataset_prefix" {
  description = "Prefix of the four layer datasets (<prefix>meta, <prefix>staging, <prefix>external, <prefix>core); the dataset_prefix of JOBPULSE_WAREHOUSE."
  type        = string
  default     = "jobpulse_"

  validation {
    # Not empty: the app reads an empty prefix as its default, jobpulse_.
    condition     = can(regex("^[A-Za-z0-9_]+$", var.dataset_prefix))
    error_message = "dataset_prefix must be one or more letters, digits and underscores."
  }
}

variable "bucket_name" {
  description = "Name of the lake bucket. Empty means <project_id>-jobpulse-lake."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_name == "" || can(regex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3 to 63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit (no dots: dotted names need domain verification)."
  }
}

variable "lake_prefix" {
  description = "Folder of the lake inside the bucket: JOBPULSE_LAKE is gs://<bucket>/<lake_prefix>. Empty puts the lake at the bucket root."
  type        = string
  default     = "lake"

  validation {
    condition     = var.lake_prefix == "" || can(regex("^[a-z0-9_-]+(/[a-z0-9_-]+)*$", var.lake_prefix))
    error_message = "lake_prefix must be empty or folder names of lowercase letters, digits, hyphens and underscores separated by single slashes, without a leading or trailing slash."
  }
}

variable "raw_nearline_after_days" {
  description = "Age in days after which raw pages (<lake_prefix>/raw/…) move to the Nearline storage class. Raw pages are read again only by a replay."
  type        = number
  default     = 30

  validation {
    condition     = var.raw_nearline_after_days >= 1 && floor(var.raw_nearline_after_days) == var.raw_nearline_after_days
    error_message = "raw_nearline_after_days must be a whole number of days, at least 1."
  }
}

variable "raw_delete_after_days" {
  description = "Age in days after which raw pages are deleted; 0 keeps them forever. Deleted raw pages cannot be replayed. Must exceed raw_nearline_after_days by 30 days or more (Nearline bills 30 days at least)."
  type        = number
  default     = 0

  validation {
    condition     = var.raw_delete_after_days >= 0 && floor(var.raw_delete_after_days) == var.raw_delete_after_days
    error_message = "raw_delete_after_days must be a whole number of days; 0 means never."
  }
}

variable "max_bytes_billed" {
  description = "Cap in bytes on every BigQuery query job the functions run (max_bytes_billed of JOBPULSE_WAREHOUSE). A job that would bill more fails."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.max_bytes_billed > 0 && floor(var.max_bytes_billed) == var.max_bytes_billed
    error_message = "max_bytes_billed must be a whole number of bytes, more than 0."
  }
}

variable "check_timeout" {
  description = "JOBPULSE_CHECK_TIMEOUT of the processor: timeout of one check query, as a Go duration."
  type        = string
  default     = "2m"

  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$", var.check_timeout))
    error_message = "check_timeout must be a Go duration such as 90s or 2m."
  }
}

variable "log_level" {
  description = "JOBPULSE_LOG_LEVEL of both functions: debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "collect_schedule" {
  description = "Cron schedule (five fields, in schedule_time_zone) of the Cloud Scheduler job that calls CollectSaramin. Every 30 minutes by default: 48 runs a day, each of a few API calls, within Saramin's 500 calls a day."
  type        = string
  default     = "*/30 * * * *"

  validation {
    condition     = length(split(" ", trimspace(var.collect_schedule))) == 5
    error_message = "collect_schedule must be a cron expression of five space-separated fields, such as */30 * * * *."
  }
}

variable "trends_schedule" {
  description = "Cron schedule (five fields, in schedule_time_zone) of the Cloud Scheduler job that calls CollectTrends. Daily by default: a full pass runs at most every TRENDS_MIN_INTERVAL (20h), so each call refreshes the keywords or retries the last run's backlog."
  type        = string
  default     = "30 6 * * *"

  validation {
    condition     = length(split(" ", trimspace(var.trends_schedule))) == 5
    error_message = "trends_schedule must be a cron expression of five space-separated fields, such as 30 6 * * *."
  }
}

variable "certifications_schedule" {
  description = "Cron schedule (five fields, in schedule_time_zone) of the Cloud Scheduler job that calls CollectCertifications. Weekly by default (Mondays): a full pass runs at most every QNET_MIN_INTERVAL (7 days); the statistics change once a year."
  type        = string
  default     = "0 7 * * 1"

  validation {
    condition     = length(split(" ", trimspace(var.certifications_schedule))) == 5
    error_message = "certifications_schedule must be a cron expression of five space-separated fields, such as 0 7 * * 1."
  }
}

variable "schedule_time_zone" {
  description = "Time zone (tz database name) in which collect_schedule, trends_schedule and certifications_schedule are read."
  type        = string
  default     = "Asia/Seoul"
}

variable "collect_paused" {
  description = "Create the three scheduler jobs paused: nothing is collected until they are resumed (gcloud scheduler jobs resume, or set this to false and apply)."
  type        = bool
  default     = false
}

variable "saramin_query" {
  description = "SARAMIN_QUERY: extra job-search parameters as a query string (job_mid_cd=2 is IT개발·데이터). The collector rejects the parameters it controls."
  type        = string
  default     = "job_mid_cd=2"
}

variable "saramin_daily_quota" {
  description = "SARAMIN_DAILY_QUOTA: Saramin API calls allowed per KST day for the key."
  type        = number
  default     = 500

  validation {
    condition     = var.saramin_daily_quota >= 1 && floor(var.saramin_daily_quota) == var.saramin_daily_quota
    error_message = "saramin_daily_quota must be a whole number, at least 1."
  }
}

variable "collect_environment" {
  description = "More environment variables for the collectors (CollectSaramin, CollectTrends, CollectCertifications), such as SARAMIN_LOOKBACK = \"720h\", TRENDS_KEYWORDS or QNET_EXAMS (docs/configuration.md). Each collector reads its own source's variables. Settings Terraform manages, and secrets, cannot be set here."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.collect_environment), ["JOBPULSE_LAKE", "JOBPULSE_WAREHOUSE", "JOBPULSE_LOG_LEVEL", "SARAMIN_QUERY", "SARAMIN_DAILY_QUOTA", "SARAMIN_ACCESS_KEY", "QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"])) == 0
    error_message = "collect_environment must not set a variable Terraform manages (JOBPULSE_LAKE, JOBPULSE_WAREHOUSE, JOBPULSE_LOG_LEVEL, SARAMIN_QUERY, SARAMIN_DAILY_QUOTA) or a secret."
  }
}

variable "process_environment" {
  description = "More environment variables for ProcessRun. Settings Terraform manages, and secrets, cannot be set here."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.process_environment), ["JOBPULSE_LAKE", "JOBPULSE_WAREHOUSE", "JOBPULSE_LOG_LEVEL", "JOBPULSE_CHECK_TIMEOUT", "SARAMIN_ACCESS_KEY", "QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"])) == 0
    error_message = "process_environment must not set a variable Terraform manages (JOBPULSE_LAKE, JOBPULSE_WAREHOUSE, JOBPULSE_LOG_LEVEL, JOBPULSE_CHECK_TIMEOUT) or a secret."
  }
}

variable "source_object" {
  description = "Roll back: build the functions from this earlier zip of the source bucket (src-<md5>.zip, see the source_object output) instead of the one made from the checked-out tree. Empty deploys the tree."
  type        = string
  default     = ""

  validation {
    condition     = var.source_object == "" || can(regex("^src-[0-9a-f]{32}\\.zip$", var.source_object))
    error_message = "source_object must be empty or the name of a source zip, src-<32 hex digits>.zip."
  }
}

variable "collect_memory" {
  description = "Memory of a collector instance (CollectSaramin, CollectTrends, CollectCertifications), such as 256Mi, 512Mi or 1Gi."
  type        = string
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.collect_memory))
    error_message = "collect_memory must be a size in Mi or Gi, such as 512Mi."
  }
}

variable "collect_timeout_seconds" {
  description = "Timeout of one collector call, in seconds. The scheduler waits 60 seconds longer, and at most 30 minutes."
  type        = number
  default     = 600

  validation {
    condition     = var.collect_timeout_seconds >= 60 && var.collect_timeout_seconds <= 1740 && floor(var.collect_timeout_seconds) == var.collect_timeout_seconds
    error_message = "collect_timeout_seconds must be a whole number from 60 to 1740 (Cloud Scheduler waits at most 1800 seconds)."
  }
}

variable "process_memory" {
  description = "Memory of a ProcessRun instance, such as 512Mi, 1Gi or 2Gi. A run is normalized in memory."
  type        = string
  default     = "1Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.process_memory))
    error_message = "process_memory must be a size in Mi or Gi, such as 1Gi."
  }
}

variable "process_timeout_seconds" {
  description = "Timeout of one ProcessRun call, in seconds; 540 is the most an event-driven function gets. A run that takes longer is retried by Eventarc and fails again."
  type        = number
  default     = 540

  validation {
    condition     = var.process_timeout_seconds >= 60 && var.process_timeout_seconds <= 540 && floor(var.process_timeout_seconds) == var.process_timeout_seconds
    error_message = "process_timeout_seconds must be a whole number from 60 to 540."
  }
}

variable "process_max_instances" {
  description = "Most ProcessRun instances at once. Every object written to the bucket sends an event and most are ignored within milliseconds; a few instances keep those from queueing behind a run being processed."
  type        = number
  default     = 3

  validation {
    condition     = var.process_max_instances >= 1 && floor(var.process_max_instances) == var.process_max_instances
    error_message = "process_max_instances must be a whole number, at least 1."
  }
}

variable "report_viewers" {
  description = "Principals (user:…, group:…, serviceAccount:…) who may read the core marts from Looker Studio: bigquery.dataViewer on the core dataset and bigquery.jobUser on the project."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.report_viewers : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "report_viewers must be user:EMAIL, group:EMAIL or serviceAccount:EMAIL; allUsers, allAuthenticatedUsers and domains are not accepted."
  }
}

variable "looker_report_name" {
  description = "Name of the report the looker_studio_link output creates (as jobpulse looker-link --report-name). Empty leaves it to Looker Studio."
  type        = string
  default     = "jobpulse · job market"
}

variable "looker_template_id" {
  description = "Looker Studio report to copy in the looker_studio_link output (as jobpulse looker-link --template): the ID after /reporting/ in its address. Empty starts from a blank report."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]*$", var.looker_template_id))
    error_message = "looker_template_id must be a Looker Studio report ID (letters, digits, - and _), or empty."
  }
}

variable "create_monitor_vm" {
  description = "Create a small VM that runs as the monitor service account, for jobpulse-monitor (DESIGN §7). The service account and its roles exist either way."
  type        = bool
  default     = false
}

variable "monitor_machine_type" {
  description = "Machine type of the monitor VM."
  type        = string
  default     = "e2-micro"
}

variable "monitor_zone" {
  description = "Zone of the monitor VM. Empty means <region>-a."
  type        = string
  default     = ""
}
