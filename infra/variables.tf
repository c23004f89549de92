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
    condition     = alltrue([for s in var.enabled_secrets : contains(["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL", "MLFLOW_TRACKING_TOKEN"], s)])
    error_message = "enabled_secrets may name SLACK_WEBHOOK_URL, SLACK_ESCALATION_WEBHOOK_URL, SMTP_URL and MLFLOW_TRACKING_TOKEN."
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
  description = "More plain (non-secret) environment variables for every function, e.g. FG_THRESHOLDS_FILE. Settings that have a variable of their own (registry, vertex_*, mlflow_tracking_uri, pipeline_train_start, sales_uri) are set there."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.function_env), ["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL", "FG_ROLLBACK_TOKEN", "MLFLOW_TRACKING_TOKEN"])) == 0
    error_message = "Secrets never go in function_env: put them in Secret Manager and list them in enabled_secrets."
  }

  # base_function_env sets these itself and would silently win over function_env.
  validation {
    condition = length(setintersection(keys(var.function_env), [
      "FG_REGISTRY", "MLFLOW_TRACKING_URI", "FG_VERTEX_ENDPOINT_PATTERN", "FG_VERTEX_ENDPOINT_LABELS",
      "FG_VERTEX_VALIDATION_ENDPOINT", "FG_VERTEX_QUOTAS", "FG_VERTEX_QUOTA_SHARE", "FG_PIPELINE_TRAIN_START", "FG_SALES_URI",
    ])) == 0
    error_message = "function_env may not set FG_REGISTRY, MLFLOW_TRACKING_URI, FG_VERTEX_ENDPOINT_PATTERN, FG_VERTEX_ENDPOINT_LABELS, FG_VERTEX_VALIDATION_ENDPOINT, FG_VERTEX_QUOTAS, FG_VERTEX_QUOTA_SHARE, FG_PIPELINE_TRAIN_START or FG_SALES_URI: use the variables registry, mlflow_tracking_uri, vertex_endpoint_pattern, vertex_endpoint_labels, validation_endpoint_id, vertex_quotas, vertex_quota_share, pipeline_train_start and sales_uri."
  }
}

# The model registry and the publisher's pipeline (shared/config/env-schema.ts reads the same values again
# at start-up; these validations refuse a bad value at plan time instead of at the first message).

variable "registry" {
  description = "FG_REGISTRY of every function: vertex (the Vertex AI Model Registry) or mlflow (MLflow, with mlflow_tracking_uri; serving stays on Vertex AI endpoints)."
  type        = string
  default     = "vertex"

  validation {
    condition     = contains(["vertex", "mlflow"], var.registry)
    error_message = "registry must be vertex or mlflow (the embedded registry, local, does not run on Google Cloud)."
  }
}

variable "mlflow_tracking_uri" {
  description = "MLFLOW_TRACKING_URI of every function: the MLflow server (http or https); required when registry is mlflow. Its bearer token, if the server needs one, is the MLFLOW_TRACKING_TOKEN secret (enabled_secrets)."
  type        = string
  default     = ""

  validation {
    condition     = var.mlflow_tracking_uri == "" || can(regex("^https?://[^/\\s]+", var.mlflow_tracking_uri))
    error_message = "mlflow_tracking_uri must be an http:// or https:// URL with a host."
  }
}

variable "vertex_endpoint_pattern" {
  description = "FG_VERTEX_ENDPOINT_PATTERN: display name of a book's existing Vertex AI endpoint with {isbn}, e.g. book-sales-{isbn} (the pipeline's). Empty: only forecast-guard's own <prefix><isbn> endpoints."
  type        = string
  default     = ""

  validation {
    condition     = var.vertex_endpoint_pattern == "" || (length(split("{isbn}", var.vertex_endpoint_pattern)) == 2 && !strcontains(var.vertex_endpoint_pattern, "\""))
    error_message = "vertex_endpoint_pattern must hold {isbn} exactly once and no double quote, e.g. book-sales-{isbn}."
  }
}

variable "vertex_endpoint_labels" {
  description = "FG_VERTEX_ENDPOINT_LABELS: labels the pattern's endpoints must carry, e.g. { purpose = \"book_sales_forecasting\" }."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.vertex_endpoint_labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "vertex_endpoint_labels must be Vertex AI labels: keys a lowercase letter then up to 62 of [a-z0-9_-], values up to 63 of [a-z0-9_-]."
  }
}

variable "validation_endpoint_id" {
  description = "Numeric id of this environment's validation endpoint (display name fg-validation), where post-deploy validation deploys a version that holds less than all of its book's traffic in order to ask it alone; its resource name becomes FG_VERTEX_VALIDATION_ENDPOINT. Empty: no such endpoint, and those predictions are refused."
  type        = string
  default     = ""

  # google_vertex_ai_endpoint's name: "must be numeric with no leading zeros and can be at most 10 digits".
  validation {
    condition     = var.validation_endpoint_id == "" || can(regex("^[1-9][0-9]{0,9}$", var.validation_endpoint_id))
    error_message = "validation_endpoint_id must be numeric, without leading zeros, at most 10 digits (a Terraform-created Vertex AI endpoint id)."
  }
}

variable "vertex_quotas" {
  description = "FG_VERTEX_QUOTAS: this project's Vertex AI request quotas per minute where raised above the documented ones, by class (online_prediction, online_explain, resource_management, lro_submission)."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for k, n in var.vertex_quotas : contains(["online_prediction", "online_explain", "resource_management", "lro_submission"], k) && n >= 1 && floor(n) == n])
    error_message = "vertex_quotas keys must be online_prediction, online_explain, resource_management or lro_submission, each a whole number of requests per minute >= 1."
  }
}

variable "vertex_quota_share" {
  description = "FG_VERTEX_QUOTA_SHARE: share (0 < share <= 1) of each Vertex AI quota one function instance's rate limiter uses. Each instance limits itself alone, so with several instances calling at once their shares add up. Null: the code's default (0.9)."
  type        = number
  default     = null

  validation {
    condition     = var.vertex_quota_share == null || try(var.vertex_quota_share > 0 && var.vertex_quota_share <= 1, false)
    error_message = "vertex_quota_share must be greater than 0 and at most 1."
  }
}

variable "pipeline_train_start" {
  description = "FG_PIPELINE_TRAIN_START: first day of the pipeline's training data (YYYY-MM-DD); a pipeline version's trainedThrough is train_length weeks from its week. Empty: the code's default (2012-01-01)."
  type        = string
  default     = ""

  validation {
    condition     = var.pipeline_train_start == "" || can(formatdate("YYYY-MM-DD", "${var.pipeline_train_start}T00:00:00Z"))
    error_message = "pipeline_train_start must be a date like 2012-01-01."
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
