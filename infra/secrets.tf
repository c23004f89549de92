# Secret Manager: one secret per secret variable, created empty. Values are
# added out of band (`gcloud secrets versions add`, see README) and never pass
# through Terraform or its state. A function mounts only the secrets it uses
# and that are enabled in this environment (var.enabled_secrets).

resource "google_secret_manager_secret" "secret" {
  for_each = local.secret_ids

  secret_id = each.value
  labels = {
    variable = lower(each.key)
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.secret_grants

  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}
