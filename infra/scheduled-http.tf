# HTTP entry points Cloud Scheduler calls (topology's HTTP_SCHEDULES: the
# alert-dispatch flush, which sends retries and escalations between alerts,
# every 5 minutes). Each is deployed as a function of its own, under the
# schedule's name, with the code, service account and secrets of the
# function it belongs to. It takes internal traffic only (Cloud Scheduler
# counts as internal) and has one invoker: a service account made for its
# job, whose OIDC token the job sends. IAM checks that token before the code
# runs, so the function is told FG_FLUSH_AUTH=iam.

resource "google_service_account" "scheduler_invoker" {
  for_each = local.topology.httpSchedules

  account_id   = each.value.invokerServiceAccountId
  display_name = "forecast-guard scheduler for ${each.key} (${var.environment})"
  description  = "Cloud Scheduler's identity for the ${each.key} job; may invoke that function and nothing else."
}

resource "google_cloudfunctions2_function" "scheduled_http" {
  for_each = local.topology.httpSchedules

  name        = each.key
  location    = var.region
  description = "forecast-guard ${each.value.function} ${each.value.entryPoint}, called by Cloud Scheduler only (${var.environment})"

  build_config {
    runtime         = "nodejs22"
    entry_point     = each.value.entryPoint
    service_account = google_service_account.builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.functions.name
        object = var.function_bundle_object
      }
    }
  }

  service_config {
    available_memory                 = "${local.topology.functions[each.value.function].memoryMb}M"
    timeout_seconds                  = local.topology.functions[each.value.function].timeoutSeconds
    max_instance_count               = 1
    min_instance_count               = 0
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.function[each.value.function].email

    environment_variables = merge(
      local.base_function_env,
      { FG_FLUSH_AUTH = "iam" },
      { for k, v in { NODE_OPTIONS = local.topology.functions[each.value.function].nodeOptions } : k => v if v != "" },
      { for k, v in local.email_env : k => v if contains(local.function_secret_env[each.value.function], "SMTP_URL") },
    )

    dynamic "secret_environment_variables" {
      for_each = toset(local.function_secret_env[each.value.function])
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.builder,
    google_project_iam_member.function,
    google_secret_manager_secret_iam_member.accessor,
  ]
}

# The job's own account may invoke its function, and only that one.
resource "google_cloud_run_v2_service_iam_member" "scheduler_invoker" {
  for_each = local.topology.httpSchedules

  location = var.region
  name     = google_cloudfunctions2_function.scheduled_http[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler_invoker[each.key].email}"
}

resource "google_cloud_scheduler_job" "http_schedule" {
  for_each = local.topology.httpSchedules

  name             = each.key
  region           = var.region
  description      = "forecast-guard: POSTs to ${each.key} (${each.value.entryPoint})"
  schedule         = each.value.cron
  time_zone        = each.value.timeZone
  attempt_deadline = "${local.topology.functions[each.value.function].timeoutSeconds}s"

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.scheduled_http[each.key].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler_invoker[each.key].email
      audience              = google_cloudfunctions2_function.scheduled_http[each.key].service_config[0].uri
    }
  }

  # The next run is minutes away; a failed one is not worth a retry storm.
  retry_config {
    retry_count = 0
  }

  depends_on = [google_project_service.api, google_cloud_run_v2_service_iam_member.scheduler_invoker]
}
