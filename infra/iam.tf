# Identities and what each may do. One service account per function with
# only what it needs; a builder for Cloud Functions builds; one deployer for
# Cloud Build (the only broad identity, run only by the triggers, production
# behind approval). Topic-level publisher grants are in pubsub.tf, secret
# grants in secrets.tf, invoker grants in functions.tf.

resource "google_service_account" "function" {
  for_each = local.topology.functions

  account_id   = each.value.serviceAccountId
  display_name = "forecast-guard ${each.key} (${var.environment})"
  description  = "Runs the ${each.key} function; publishes only to its topology topics."
}

# The Vertex AI permissions of the health check and the validation: predict and read, not deploy (locals.tf).
resource "google_project_iam_custom_role" "vertex" {
  for_each = local.vertex_roles

  role_id     = each.value.role_id
  title       = each.value.title
  description = "Only the Vertex AI calls forecast-guard makes; no deployment, no traffic change."
  permissions = each.value.permissions
}

# Datastore user and log writer for all; Vertex AI roles for the functions that read the registry or endpoints.
resource "google_project_iam_member" "function" {
  for_each = local.function_role_grants

  project = var.project_id
  role    = each.value.role
  member  = "serviceAccount:${google_service_account.function[each.value.function].email}"

  # The custom roles' names are written out in function_extra_roles (known when planning); they must exist first.
  depends_on = [google_project_iam_custom_role.vertex]
}

# Pub/Sub mints the OIDC token of each push subscription as the consumer's service account.
resource "google_service_account_iam_member" "pubsub_token_creator" {
  for_each = toset([for _, s in local.topology.subscriptions : s.consumer])

  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

resource "google_storage_bucket_iam_member" "sales_reader" {
  for_each = toset([for f in local.sales_readers : f if var.sales_data_bucket != ""])

  bucket = var.sales_data_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Builds the function containers from the bundle (instead of the default compute account).
resource "google_service_account" "builder" {
  account_id   = "fg-function-builder"
  display_name = "forecast-guard function builds (${var.environment})"
}

resource "google_project_iam_member" "builder" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.builder.email}"
}

# Runs the Cloud Build triggers: applies this module, uploads bundles, validates and rolls back.
resource "google_service_account" "deployer" {
  account_id   = "fg-deployer"
  display_name = "forecast-guard Cloud Build deployer (${var.environment})"
}

locals {
  deployer_roles = [
    "roles/cloudfunctions.developer",
    "roles/run.admin",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountAdmin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/serviceusage.serviceUsageAdmin",
    "roles/pubsub.admin",
    "roles/datastore.owner",
    "roles/cloudscheduler.admin",
    "roles/logging.configWriter",
    "roles/logging.viewer",
    "roles/logging.logWriter",
    "roles/monitoring.editor",
    "roles/secretmanager.admin",
    "roles/storage.admin",
    "roles/cloudbuild.builds.editor",
    "roles/aiplatform.user",
  ]
}

resource "google_project_iam_member" "deployer" {
  for_each = toset(local.deployer_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

# People (or a bot) who may approve a pending production build.
resource "google_project_iam_member" "build_approver" {
  for_each = toset(var.build_approvers)

  project = var.project_id
  role    = "roles/cloudbuild.builds.approver"
  member  = each.value
}
