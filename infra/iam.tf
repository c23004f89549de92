# Identities and what each may do. One service account per function with
# only what it needs; a builder for Cloud Functions builds; a low-privilege
# runner Cloud Build runs as; one deployer (the only broad identity,
# impersonated only by the deploy steps of the triggers' builds, production
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

# What Cloud Build runs as. All steps of one build run as the build's service account
# (https://cloud.google.com/build/docs/securing-builds/configure-user-specified-service-accounts), and the
# test and install steps run third-party code, so the build runs as this low-privilege runner: logs, the
# reads and predictions of post-deploy validation (--report-only: it writes its report, acts on nothing),
# and permission to mint tokens for fg-deployer. Only the deploy-phase steps impersonate the deployer
# (GOOGLE_IMPERSONATE_SERVICE_ACCOUNT for Terraform, CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT for gcloud,
# set on those steps alone in cloudbuild*.yaml). Residual: steps of one build share /workspace, so a test
# step could still alter a script a later deploy step runs; separate builds would close that too.
resource "google_service_account" "ci" {
  account_id   = "fg-ci-runner"
  display_name = "forecast-guard Cloud Build runner (${var.environment})"
  description  = "Runs the Cloud Build steps; deploy steps impersonate fg-deployer."
}

resource "google_project_iam_member" "ci" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/datastore.user",
    "projects/${var.project_id}/roles/${local.vertex_roles.reader.role_id}",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.ci.email}"

  depends_on = [google_project_iam_custom_role.vertex]
}

resource "google_storage_bucket_iam_member" "ci_sales_reader" {
  count = var.sales_data_bucket != "" ? 1 : 0

  bucket = var.sales_data_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.ci.email}"
}

# The runner may act as the deployer, and as nothing else.
resource "google_service_account_iam_member" "ci_impersonates_deployer" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.ci.email}"
}

# Applies this module, uploads and promotes bundles, rolls back, reports: impersonated by the deploy steps.
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
    # The custom roles of this module (google_project_iam_custom_role.vertex) change with the code's calls.
    "roles/iam.roleAdmin",
  ]
}

resource "google_project_iam_member" "deployer" {
  for_each = toset(local.deployer_roles)

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

# The deployer sets fg-validation's IAM policy (vertex.tf).
resource "google_project_iam_member" "deployer_endpoint_iam" {
  project = var.project_id
  role    = google_project_iam_custom_role.vertex["endpoint_iam_admin"].id
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

# People (or a bot) who may approve a pending production build.
resource "google_project_iam_member" "build_approver" {
  for_each = toset(var.build_approvers)

  project = var.project_id
  role    = "roles/cloudbuild.builds.approver"
  member  = each.value
}
