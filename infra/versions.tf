# forecast-guard on Google Cloud: one root module, applied once per
# environment (one project each) with environments/<env>.tfvars.
#
#   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=forecast-guard/<env>"
#   terraform apply -var-file=environments/<env>.tfvars -var="function_bundle_object=functions/forecast-guard-<sha>.zip"
#
# Topics, subscriptions, functions and schedules come from topology.json,
# generated from shared/topology.ts (scripts/gen-infra-topology.ts); tests
# in test/infra hold this module to the code.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0, < 7.0"
    }
    # Only for google_vertex_ai_endpoint_iam_member (vertex.tf), which the GA provider does not have.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 6.0, < 7.0"
    }
  }

  # Partial configuration: bucket and prefix come from `terraform init -backend-config=…`
  # so staging and production keep separate state.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app         = "forecast-guard"
    environment = var.environment
  }
}

provider "google-beta" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app         = "forecast-guard"
    environment = var.environment
  }
}
