# Every function of topology as a 2nd-gen Cloud Function, built from the one
# bundle Cloud Build uploads (each deployment picks its entry point), with its
# own service account. Pub/Sub reaches them through the push subscriptions in
# pubsub.tf; rollback is also deployed a second time for HTTP, callable only
# by var.operators.

# Bundles, one object per commit; versioned so an earlier bundle can be redeployed.
resource "google_storage_bucket" "functions" {
  name                        = "${var.project_id}-fg-functions"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = 180
    }
    action {
      type = "Delete"
    }
  }
}

# Staging lets production's deployer read the bundle staging validated (promotion, not a rebuild).
resource "google_storage_bucket_iam_member" "artifact_reader" {
  for_each = toset(var.artifact_readers)

  bucket = google_storage_bucket.functions.name
  role   = "roles/storage.objectViewer"
  member = each.value
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.topology.functions

  name        = each.key
  location    = var.region
  description = "forecast-guard ${each.key}: consumes ${coalesce(each.value.trigger, "nothing")} (${var.environment})"

  build_config {
    runtime         = "nodejs22"
    entry_point     = each.value.entryPoint
    service_account = google_service_account.builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.functions.name
        object = var.function_bundle_object
        # The generation the build checked (sha256) and, in production, the one staging validated
        # (storage_source.generation of google_cloudfunctions2_function; null: the latest).
        generation = var.function_bundle_generation
      }
    }
  }

  service_config {
    available_memory                 = "${each.value.memoryMb}M"
    timeout_seconds                  = each.value.timeoutSeconds
    max_instance_count               = each.value.maxInstances
    min_instance_count               = 0
    max_instance_request_concurrency = 1
    # Reached only by this project's Pub/Sub push subscriptions (and Cloud Scheduler), on the default run.app
    # URL: Cloud Run counts both as internal traffic when they are in the same project
    # (https://cloud.google.com/run/docs/securing/ingress, "Internal"), so nothing from the internet gets
    # as far as IAM. A push from another project, or to a custom domain, would be refused at ingress.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.key].email

    environment_variables = merge(
      local.base_function_env,
      { for k, v in local.email_env : k => v if contains(local.function_secret_env[each.key], "SMTP_URL") },
      # V8's heap cap where the topology sets one (health-check: shared/topology.ts heapMb).
      { for k, v in { NODE_OPTIONS = each.value.nodeOptions } : k => v if v != "" },
    )

    dynamic "secret_environment_variables" {
      for_each = toset(local.function_secret_env[each.key])
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = !contains(var.enabled_secrets, "SMTP_URL") || (var.alert_email_to != "" && var.alert_email_from != "")
      error_message = "SMTP_URL is enabled: set alert_email_to and alert_email_from as well."
    }
    precondition {
      condition     = var.registry != "mlflow" || var.mlflow_tracking_uri != ""
      error_message = "registry is mlflow: set mlflow_tracking_uri (the functions refuse to start without MLFLOW_TRACKING_URI)."
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.builder,
    google_project_iam_member.function,
    google_secret_manager_secret_iam_member.accessor,
    google_vertex_ai_endpoint_iam_member.validation_deployer,
  ]
}

# The HTTP face of functions topology marks `http` (rollback): same service account, secrets and limits.
resource "google_cloudfunctions2_function" "http" {
  for_each = local.topology.httpFunctions

  name        = each.key
  location    = var.region
  description = "forecast-guard ${each.value.function} over HTTP, for operators only (${var.environment})"

  build_config {
    runtime         = "nodejs22"
    entry_point     = each.value.entryPoint
    service_account = google_service_account.builder.id

    source {
      storage_source {
        bucket = google_storage_bucket.functions.name
        object = var.function_bundle_object
        # The generation the build checked (sha256) and, in production, the one staging validated
        # (storage_source.generation of google_cloudfunctions2_function; null: the latest).
        generation = var.function_bundle_generation
      }
    }
  }

  service_config {
    available_memory                 = "${local.topology.functions[each.value.function].memoryMb}M"
    timeout_seconds                  = local.topology.functions[each.value.function].timeoutSeconds
    max_instance_count               = local.topology.functions[each.value.function].maxInstances
    min_instance_count               = 0
    max_instance_request_concurrency = 1
    # Operators call it from their own machines, outside any VPC: reachable, but IAM admits only
    # var.operators (operator_invoker below; no public member anywhere).
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.value.function].email

    # FG_ROLLBACK_AUDIENCE makes the function verify the caller's Google identity token again (after IAM)
    # and record its email; without it the function would demand FG_ROLLBACK_TOKEN. The audiences a caller
    # may mint for: the function's cloudfunctions.net URL, its deterministic run.app URL, and gcloud's
    # OAuth client id (what `gcloud auth print-identity-token` gives a user).
    environment_variables = merge(local.base_function_env, {
      for k, v in { NODE_OPTIONS = local.topology.functions[each.value.function].nodeOptions } : k => v if v != ""
      }, {
      FG_ROLLBACK_AUDIENCE = join(",", [
        "https://${var.region}-${var.project_id}.cloudfunctions.net/${each.key}",
        "https://${each.key}-${data.google_project.this.number}.${var.region}.run.app",
        "32555940559.apps.googleusercontent.com",
      ])
    })

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

# Pub/Sub pushes with each consumer's own identity (its OIDC token); that identity may invoke only its own service.
resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.topology.subscriptions

  location = var.region
  name     = google_cloudfunctions2_function.function[each.value.consumer].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.function[each.value.consumer].email}"
}

# The HTTP functions: only the operators (a group or a service account), never a public member.
resource "google_cloud_run_v2_service_iam_member" "operator_invoker" {
  for_each = {
    for pair in setproduct(keys(local.topology.httpFunctions), var.operators) :
    "${pair[0]}/${pair[1]}" => { function = pair[0], member = pair[1] }
  }

  location = var.region
  name     = google_cloudfunctions2_function.http[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}
