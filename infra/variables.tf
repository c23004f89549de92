# Inputs. Per-environment values live in environments/<env>.tfvars; the
# function bundle's object name comes from Cloud Build on every deploy.

variable "project_id" {
  description = "Project of this environment (one project per environment)."
  type        = string
}

variable "environment" {
  description = "staging or production: FG_ENVIRONMENT of every function, and which Cloud Build trigger this project hosts."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "region" {
  description = "Region of the functions, Scheduler jobs and buckets."
  type        = string
  default     = "europe-west2"
}

variable "firestore_location" {
  description = "Firestore database location (a region or multi-region such as eur3)."
  type        = string
  default     = "europe-west2"
}

variable "function_bundle_object" {
  description = "Object in the functions bucket holding the bundle to deploy (functions/forecast-guard-<commit>.zip), uploaded by Cloud Build."
  type        = string

  validation {
    condition     = can(regex("^functions/[A-Za-z0-9._-]+\\.zip$", var.function_bundle_object))
    error_message = "function_bundle_object must look like functions/forecast-guard-<commit>.zip."
  }
}

variable "function_bundle_generation" {
  description = "Object generation of function_bundle_object to deploy, pinned by Cloud Build after checking its sha256 (production: the generation staging validated). Null deploys the latest generation (by hand only)."
  type        = number
  default     = null

  validation {
    condition     = var.function_bundle_generation == null || try(var.function_bundle_generation > 0, false)
    error_message = "function_bundle_generation must be a positive object generation."
  }
}

variable "operators" {
  description = "Who may call the HTTP rollback function: group:, serviceAccount: or user: members. Never public."
  type        = list(string)

  validation {
    condition     = alltrue([for m in var.operators : can(regex("^(group|serviceAccount|user):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "operators must be group:, serviceAccount: or user: members; public members are refused."
  }
}

variable "build_approvers" {
  description = "Who may approve a pending production build (roles/cloudbuild.builds.approver)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.build_approvers : can(regex("^(group|serviceAccount|user):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "build_approvers must be group:, serviceAccount: or user: members."
  }
}

variable "oncall_emails" {
  description = "Addresses Cloud Monitoring notifies when forecast-guard itself misbehaves (independent of its own Slack/email path)."
  type        = list(string)
  default     = []
}

variable "enabled_secrets" {
  description = "Secret variables that have a value in Secret Manager in this project; only these are mounted (a mounted secret without a version fails the deploy)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.enabled_secrets : contains(["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL"], s)])
    error_message = "enabled_secrets may name SLACK_WEBHOOK_URL, SLACK_ESCALATION_WEBHOOK_URL and SMTP_URL."
  }
}

variable "alert_email_to" {
  description = "ALERT_EMAIL_TO of the sending functions; required when SMTP_URL is enabled."
  type        = string
  default     = ""
}

variable "alert_email_from" {
  description = "ALERT_EMAIL_FROM of the sending functions; required when SMTP_URL is enabled."
  type        = string
  default     = ""
}

variable "function_env" {
  description = "More plain (non-secret) environment variables for every function, e.g. FG_REGISTRY, FG_THRESHOLDS_FILE."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.function_env), ["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL", "FG_ROLLBACK_TOKEN", "MLFLOW_TRACKING_TOKEN"])) == 0
    error_message = "Secrets never go in function_env: put them in Secret Manager and list them in enabled_secrets."
  }
}

variable "log_level" {
  description = "FG_LOG_LEVEL of every function."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  description = "Retention of the forecast-guard log bucket."
  type        = number
  default     = 30
}

variable "sales_data_bucket" {
  description = "Bucket of the actual-sales CSVs the health check and validation read; empty for none."
  type        = string
  default     = ""
}

variable "sales_uri" {
  description = "Where the functions read weekly actuals (FG_SALES_URI): gs://bucket/object, gs://bucket/prefix/ of drops, or bq://project.dataset.table. Empty: gs://<sales_data_bucket>/<sales_data_prefix>. Required on Google Cloud (the functions refuse to start a health check without it)."
  type        = string
  default     = ""

  validation {
    condition     = var.sales_uri == "" || startswith(var.sales_uri, "gs://") || startswith(var.sales_uri, "bq://")
    error_message = "sales_uri must be gs://bucket/object, gs://bucket/prefix/ or bq://project.dataset.table."
  }
}

variable "sales_data_prefix" {
  description = "Object-name prefix of the sales drops in sales_data_bucket (e.g. raw_data/): a new object there (OBJECT_FINALIZE) re-checks its books at once; the functions get it as FG_SALES_UPDATES_PREFIX."
  type        = string
  default     = "raw_data/"

  validation {
    condition     = !startswith(var.sales_data_prefix, "/") && !startswith(var.sales_data_prefix, "gs://")
    error_message = "sales_data_prefix is an object-name prefix such as raw_data/, without gs://bucket or a leading /."
  }
}

variable "sales_data_bucket_project" {
  description = "Project that owns sales_data_bucket, when it is not project_id: its Cloud Storage service agent publishes the notifications."
  type        = string
  default     = ""
}

variable "artifact_readers" {
  description = "Members that may read the function bundles (staging: production's deployer, which promotes the bundle staging validated)."
  type        = list(string)
  default     = []
}

variable "promote_from_bucket" {
  description = "Production: the staging functions bucket a production build takes its validated bundle from."
  type        = string
  default     = ""
}

variable "tf_state_bucket" {
  description = "The bucket holding Terraform state (created once by hand, see README); given to Cloud Build."
  type        = string
}

variable "github_owner" {
  description = "GitHub owner of the repository the Cloud Build triggers watch."
  type        = string
}

variable "github_repo" {
  description = "GitHub repository name the Cloud Build triggers watch."
  type        = string
}

variable "deploy_branch" {
  description = "Branch (regex) whose pushes deploy."
  type        = string
  default     = "^main$"
}

variable "function_error_threshold" {
  description = "Failed executions (HTTP 5xx) of one function in 5 minutes that page on-call."
  type        = number
  default     = 3
}
