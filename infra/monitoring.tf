# Cloud Monitoring watches the watcher: a dashboard of the functions
# (executions, errors, latency), of what they did (alerts sent, rollbacks,
# dead letters), and alert policies that reach on-call by email through
# Google, not through forecast-guard's own (possibly broken) alert path.

resource "google_monitoring_notification_channel" "oncall" {
  for_each = toset(var.oncall_emails)

  display_name = "forecast-guard on-call ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

locals {
  notification_channels = [for c in google_monitoring_notification_channel.oncall : c.id]

  run_filter = "resource.type=\"cloud_run_revision\" AND resource.label.service_name=${local.services_one_of}"

  # One line chart per (title, filter, aligner, reducer).
  dashboard_charts = [
    ["Function executions / s", "metric.type=\"run.googleapis.com/request_count\" AND ${local.run_filter}", "ALIGN_RATE", "REDUCE_SUM", "resource.label.service_name"],
    ["Function errors (HTTP 5xx)", "metric.type=\"run.googleapis.com/request_count\" AND metric.label.response_code_class=\"5xx\" AND ${local.run_filter}", "ALIGN_DELTA", "REDUCE_SUM", "resource.label.service_name"],
    ["Function latency p95 (ms)", "metric.type=\"run.googleapis.com/request_latencies\" AND ${local.run_filter}", "ALIGN_DELTA", "REDUCE_PERCENTILE_95", "resource.label.service_name"],
    ["Alerts sent", "metric.type=\"logging.googleapis.com/user/${google_logging_metric.alerts_sent.name}\"", "ALIGN_DELTA", "REDUCE_SUM", "metric.label.channel"],
    ["Rollback runs", "metric.type=\"logging.googleapis.com/user/${google_logging_metric.rollback_runs.name}\"", "ALIGN_DELTA", "REDUCE_SUM", "metric.label.outcome"],
    ["Dead-lettered messages", "metric.type=\"logging.googleapis.com/user/${google_logging_metric.dead_lettered.name}\"", "ALIGN_DELTA", "REDUCE_SUM", "metric.label.consumer"],
    ["Dead-letter backlog", "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=${local.inspect_subs_one_of}", "ALIGN_MAX", "REDUCE_MAX", "resource.label.subscription_id"],
    ["Oldest unacked message (s)", "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=${local.consumer_subs_one_of}", "ALIGN_MAX", "REDUCE_MAX", "resource.label.subscription_id"],
  ]
}

resource "google_monitoring_dashboard" "forecast_guard" {
  dashboard_json = jsonencode({
    displayName = "forecast-guard (${var.environment})"
    mosaicLayout = {
      columns = 12
      tiles = [
        for i, c in local.dashboard_charts : {
          xPos   = (i % 2) * 6
          yPos   = floor(i / 2) * 4
          width  = 6
          height = 4
          widget = {
            title = c[0]
            xyChart = {
              dataSets = [{
                plotType = "LINE"
                timeSeriesQuery = {
                  timeSeriesFilter = {
                    filter = c[1]
                    aggregation = {
                      alignmentPeriod    = "300s"
                      perSeriesAligner   = c[2]
                      crossSeriesReducer = c[3]
                      groupByFields      = [c[4]]
                    }
                  }
                }
              }]
            }
          }
        }
      ]
    }
  })
}

resource "google_monitoring_alert_policy" "function_errors" {
  display_name          = "forecast-guard ${var.environment}: function errors"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "A function failed more than ${var.function_error_threshold} times in 5 minutes"
    condition_threshold {
      filter          = "metric.type=\"run.googleapis.com/request_count\" AND metric.label.response_code_class=\"5xx\" AND ${local.run_filter}"
      comparison      = "COMPARISON_GT"
      threshold_value = var.function_error_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A forecast-guard function keeps failing (HTTP 5xx: Pub/Sub will retry, then dead-letter). Logs: `resource.type=\"cloud_run_revision\" AND severity>=ERROR`. Roll the functions back with README \"Deploying to Google Cloud\" > \"Rolling back the functions\"."
  }
}

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "forecast-guard ${var.environment}: dead-lettered messages waiting"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "A dead-letter inspect subscription holds messages"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=${local.inspect_subs_one_of}"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Messages were dead-lettered. Inspect with `forecast-guard dead-letters list` (FG_BACKEND=gcp), fix the cause, then `forecast-guard dead-letters replay TOPIC`."
  }
}

resource "google_monitoring_alert_policy" "stuck_subscription" {
  display_name          = "forecast-guard ${var.environment}: messages not consumed"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "A consumer subscription's oldest message is older than 30 minutes"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=${local.consumer_subs_one_of}"
      comparison      = "COMPARISON_GT"
      threshold_value = 1800
      duration        = "300s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }
    }
  }
}

# The hourly health check must run: no execution for 2 hours means Scheduler, Pub/Sub or the function is broken.
resource "google_monitoring_alert_policy" "health_check_missing" {
  display_name          = "forecast-guard ${var.environment}: health check not running"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "No health-check execution for 2 hours"
    condition_absent {
      filter   = "metric.type=\"run.googleapis.com/request_count\" AND resource.type=\"cloud_run_revision\" AND resource.label.service_name=\"${google_cloudfunctions2_function.function["health-check"].name}\""
      duration = "7200s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }
}
