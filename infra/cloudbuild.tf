# Cloud Build triggers. Each environment's project hosts its own: staging
# runs cloudbuild.yaml on every push to main (test, package, deploy,
# validate, roll back on failure); production runs cloudbuild.production.yaml
# on the same pushes but only once someone in var.build_approvers approves,
# and then only with the bundle staging validated for that commit. Builds
# run as fg-ci-runner; only their deploy steps impersonate fg-deployer (iam.tf).
# Trigger names start with `forecast-guard-`, which build-events recognises.

locals {
  build_substitutions = {
    _FG_ENVIRONMENT   = var.environment
    _REGION           = var.region
    _TF_STATE_BUCKET  = var.tf_state_bucket
    _FUNCTIONS_BUCKET = google_storage_bucket.functions.name
    # The identity the deploy steps impersonate (the build itself runs as fg-ci-runner, iam.tf).
    _DEPLOYER = google_service_account.deployer.email
  }
}

resource "google_cloudbuild_trigger" "staging" {
  count = var.environment == "staging" ? 1 : 0

  name            = "forecast-guard-staging"
  location        = "global"
  description     = "forecast-guard: test, deploy to staging, validate; roll back on failure"
  filename        = "cloudbuild.yaml"
  service_account = google_service_account.ci.id

  github {
    owner = var.github_owner
    name  = var.github_repo
    push {
      branch = var.deploy_branch
    }
  }

  substitutions      = local.build_substitutions
  include_build_logs = "INCLUDE_BUILD_LOGS_WITH_STATUS"

  depends_on = [
    google_project_iam_member.deployer,
    google_project_iam_member.ci,
    google_service_account_iam_member.ci_impersonates_deployer,
  ]
}

resource "google_cloudbuild_trigger" "production" {
  count = var.environment == "production" ? 1 : 0

  name            = "forecast-guard-production"
  location        = "global"
  description     = "forecast-guard: after approval, deploy the bundle staging validated to production; roll back on failure"
  filename        = "cloudbuild.production.yaml"
  service_account = google_service_account.ci.id

  github {
    owner = var.github_owner
    name  = var.github_repo
    push {
      branch = var.deploy_branch
    }
  }

  # The build waits, unstarted, until an approver approves it in the console or with gcloud.
  approval_config {
    approval_required = true
  }

  substitutions = merge(local.build_substitutions, {
    _PROMOTE_FROM_BUCKET = var.promote_from_bucket
  })
  include_build_logs = "INCLUDE_BUILD_LOGS_WITH_STATUS"

  lifecycle {
    precondition {
      condition     = var.promote_from_bucket != ""
      error_message = "production needs promote_from_bucket: the staging functions bucket."
    }
  }

  depends_on = [
    google_project_iam_member.deployer,
    google_project_iam_member.ci,
    google_service_account_iam_member.ci_impersonates_deployer,
  ]
}
