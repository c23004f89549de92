# The validation endpoint: where post-deploy validation asks a version that holds less than all of its
# book's traffic (a canary), alone. Predict on a book's endpoint answers from whichever deployed version
# traffic picks, and forecast-guard does not use Explain (real Vertex refuses it without an explanation
# spec), so such a version is deployed here with all of this endpoint's traffic, asked, and undeployed
# when the next one needs the endpoint (shared/adapters/gcp/vertex-serving-target.ts). Its resource name
# is FG_VERTEX_VALIDATION_ENDPOINT of every function (locals.tf). One per environment; none when
# var.validation_endpoint_id is empty.

resource "google_vertex_ai_endpoint" "validation" {
  count = var.validation_endpoint_id != "" ? 1 : 0

  # The provider wants a numeric endpoint id; the display name is what people see.
  name         = var.validation_endpoint_id
  display_name = "fg-validation"
  description  = "forecast-guard post-deploy validation: one version at a time, asked alone. Not a book's endpoint."
  location     = var.region
  # Not app=forecast-guard (the provider's default label, overridden here): the serving adapter lists
  # app=forecast-guard endpoints as books' endpoints (listServing, APP_FILTER in vertex-names.ts) and would
  # take this one, holding some book's canary, for a book with the ISBN its id yields.
  labels = {
    app     = "forecast-guard-validation"
    purpose = "forecast_guard_validation"
  }

  depends_on = [google_project_service.api]
}

# Deploy, undeploy and traffic on this endpoint only, for the functions in local.validation_endpoint_users.
# Vertex AI takes an IAM policy on one endpoint
# (https://cloud.google.com/vertex-ai/docs/general/endpoint-access-control, the v1beta1 endpoints
# getIamPolicy/setIamPolicy methods), so these permissions reach no book endpoint. (That DeployModel
# honours endpoints.deploy granted there, rather than only on the project, is what that page implies and
# was not checked against a live project; if it did not, the validation would fail closed with
# PERMISSION_DENIED, never gain rights elsewhere.) Terraform's resource for
# that policy exists only in the google-beta provider (hashicorp/terraform-provider-google#18388;
# GoogleCloudPlatform/magic-modules#9454 added it as beta), hence the provider below.
resource "google_vertex_ai_endpoint_iam_member" "validation_deployer" {
  for_each = toset([for f in local.validation_endpoint_users : f if var.validation_endpoint_id != ""])
  provider = google-beta

  project  = var.project_id
  location = var.region
  endpoint = google_vertex_ai_endpoint.validation[0].name
  role     = google_project_iam_custom_role.vertex["validation_endpoint"].id
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}
