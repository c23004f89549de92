# Cloud Logging: Vertex AI PipelineJob state changes go to the
# pipeline-events topic; forecast-guard's own logs are kept in a bucket with
# a set retention; log-based metrics count what the dashboard and alert
# policies watch. Filters match the JSON lines shared/logging writes
# (`labels.component` is the function, `jsonPayload.message` the line).

resource "google_logging_project_sink" "pipeline_events" {
  name        = "fg-pipeline-job-events"
  description = "Vertex AI PipelineJob state changes to the pipeline-events topic (forecast-guard)"
  destination = "pubsub.googleapis.com/${google_pubsub_topic.topic["pipeline-events"].id}"
  # Only the job-level state changes: task events share the resource type but not the log name.
  filter = "resource.type=\"aiplatform.googleapis.com/PipelineJob\" AND logName=\"projects/${var.project_id}/logs/aiplatform.googleapis.com%2Fpipeline_job_events\""

  unique_writer_identity = true
}

resource "google_pubsub_topic_iam_member" "sink_publisher" {
  topic  = google_pubsub_topic.topic["pipeline-events"].name
  role   = "roles/pubsub.publisher"
  member = google_logging_project_sink.pipeline_events.writer_identity
}

# Vertex AI deployments made outside forecast-guard (the pipeline, the console) reach model-deployments
# as their Admin Activity audit entries, so post-deploy validation and automatic rollback cover them
# (shared/services/validation/deployment-audit.ts). Kept: DeployModel and MutateDeployedModel under all
# three methodName prefixes Vertex logs (v1, v1beta1, and ui for the Cloud console), request entries only
# (operation.first; a separate completion entry is not confirmed to exist, so nothing waits for one).
# Filter syntax: https://cloud.google.com/logging/docs/view/logging-query-language; method names:
# googleapis/google-cloudevents json/audit/service_catalog.json (test/fixtures/gcp-formats/8-audit-logs).
resource "google_logging_project_sink" "deployment_audit" {
  name        = "fg-vertex-deployments"
  description = "Vertex AI DeployModel/MutateDeployedModel requests to the model-deployments topic (forecast-guard)"
  destination = "pubsub.googleapis.com/${google_pubsub_topic.topic["model-deployments"].id}"
  filter      = "logName=\"projects/${var.project_id}/logs/cloudaudit.googleapis.com%2Factivity\" AND protoPayload.serviceName=\"aiplatform.googleapis.com\" AND (protoPayload.methodName=\"google.cloud.aiplatform.v1.EndpointService.DeployModel\" OR protoPayload.methodName=\"google.cloud.aiplatform.v1beta1.EndpointService.DeployModel\" OR protoPayload.methodName=\"google.cloud.aiplatform.ui.EndpointService.DeployModel\" OR protoPayload.methodName=\"google.cloud.aiplatform.v1.EndpointService.MutateDeployedModel\" OR protoPayload.methodName=\"google.cloud.aiplatform.v1beta1.EndpointService.MutateDeployedModel\" OR protoPayload.methodName=\"google.cloud.aiplatform.ui.EndpointService.MutateDeployedModel\") AND operation.first=true"

  unique_writer_identity = true
}

resource "google_pubsub_topic_iam_member" "deployment_audit_publisher" {
  topic  = google_pubsub_topic.topic["model-deployments"].name
  role   = "roles/pubsub.publisher"
  member = google_logging_project_sink.deployment_audit.writer_identity
}

resource "google_logging_project_bucket_config" "forecast_guard" {
  project        = var.project_id
  location       = "global"
  bucket_id      = "forecast-guard"
  description    = "forecast-guard function logs (${var.environment})"
  retention_days = var.log_retention_days
}

resource "google_logging_project_sink" "function_logs" {
  name        = "fg-function-logs"
  description = "forecast-guard function logs into the forecast-guard bucket"
  destination = "logging.googleapis.com/${google_logging_project_bucket_config.forecast_guard.id}"
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=${local.services_logging}"
}

# alert-dispatch logs "<channel> notification delivered: <title>" (fields channel, kind) per message a
# channel accepted (shared/services/alert-dispatch/send.ts).
resource "google_logging_metric" "alerts_sent" {
  name   = "fg_alerts_sent"
  filter = "resource.type=\"cloud_run_revision\" AND labels.component=\"alert-dispatch\" AND jsonPayload.message=~\"^[a-z][a-z0-9-]* notification delivered: \""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "forecast-guard notifications sent"
    labels {
      key        = "channel"
      value_type = "STRING"
    }
    labels {
      key        = "kind"
      value_type = "STRING"
    }
  }

  label_extractors = {
    channel = "EXTRACT(jsonPayload.channel)"
    kind    = "EXTRACT(jsonPayload.kind)"
  }
}

# The rollback service's run timer: "rollback run done" / "rollback run failed", with durationMs.
resource "google_logging_metric" "rollback_runs" {
  name   = "fg_rollback_runs"
  filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=(\"rollback run done\" OR \"rollback run failed\")"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "forecast-guard rollback runs"
    labels {
      key        = "outcome"
      value_type = "STRING"
    }
  }

  label_extractors = {
    outcome = "REGEXP_EXTRACT(jsonPayload.message, \"rollback run (done|failed)\")"
  }
}

# Messages the runtime dead-lettered (bad input, non-retryable failures): "dead-lettered: <reason>".
resource "google_logging_metric" "dead_lettered" {
  name   = "fg_dead_lettered"
  filter = "resource.type=\"cloud_run_revision\" AND jsonPayload.message=~\"^dead-lettered: \""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "forecast-guard messages dead-lettered"
    labels {
      key        = "consumer"
      value_type = "STRING"
    }
  }

  label_extractors = {
    consumer = "EXTRACT(jsonPayload.consumer)"
  }
}
