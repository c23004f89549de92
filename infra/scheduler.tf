# Cloud Scheduler: each schedule of topology publishes its body on its topic
# (hourly health check, daily summary). The body is the request itself.

resource "google_cloud_scheduler_job" "schedule" {
  for_each = local.topology.schedules

  name        = each.key
  region      = var.region
  description = "forecast-guard: publishes ${jsonencode(each.value.body)} on ${each.value.topic}"
  schedule    = each.value.cron
  time_zone   = each.value.timeZone

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.value.topic].id
    data       = base64encode(jsonencode(each.value.body))
  }

  retry_config {
    retry_count = 1
  }

  depends_on = [google_project_service.api]
}
