# Read by the CI scripts (scripts/ci/deploy.sh records the deployed bundle
# before replacing it, so a failed deploy can go back to it).

output "function_bundle_object" {
  description = "The bundle the functions run now."
  value       = var.function_bundle_object
}

output "function_bundle_generation" {
  description = "The generation of that bundle (null when deployed unpinned)."
  value       = var.function_bundle_generation
}

output "functions_bucket" {
  description = "Where Cloud Build uploads bundles."
  value       = google_storage_bucket.functions.name
}

output "function_urls" {
  description = "Service URL of every deployment."
  value = merge(
    { for name, f in google_cloudfunctions2_function.function : name => f.service_config[0].uri },
    { for name, f in google_cloudfunctions2_function.http : name => f.service_config[0].uri },
    { for name, f in google_cloudfunctions2_function.scheduled_http : name => f.service_config[0].uri },
  )
}

output "function_service_accounts" {
  description = "Service account of each function."
  value       = { for name, sa in google_service_account.function : name => sa.email }
}

output "deployer_service_account" {
  description = "The identity Cloud Build runs as (give it objectViewer on the staging functions bucket from production)."
  value       = google_service_account.deployer.email
}

output "validation_endpoint" {
  description = "FG_VERTEX_VALIDATION_ENDPOINT of the functions: fg-validation's resource name, or null without validation_endpoint_id."
  value       = one(google_vertex_ai_endpoint.validation[*].id)
}
