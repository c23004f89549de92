# What this module iterates over. topology.json is generated from
# shared/topology.ts (never edit it by hand); the few facts about functions
# that topology does not hold (extra roles, secrets) are declared here, and
# test/infra checks them too.

locals {
  topology = jsondecode(file("${path.module}/topology.json"))

  # Pub/Sub's service agent: it moves messages to dead-letter topics and mints the push OIDC tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # Every function: Firestore (state store) and writing its own logs.
  common_function_roles = ["roles/datastore.user", "roles/logging.logWriter"]

  # Functions that read the Vertex AI Model Registry or call endpoints. The health check and the validation
  # predict and read, never deploy to a book's endpoint: custom roles (vertex_roles, iam.tf) instead of
  # roles/aiplatform.user. The validation also deploys on the validation endpoint alone (validation_endpoint
  # role, granted on that one endpoint in iam.tf).
  # Rollback keeps roles/aiplatform.user: it deploys and undeploys versions on endpoints, moves traffic
  # (endpoints.deploy/undeploy/update, models.deploy/undeploy) and moves the production alias
  # (models.update), and an emergency rollback must not fail on a permission missed here.
  # The health check also reads its own schedule (ListJobs: cloudscheduler.jobs.list, in
  # roles/cloudscheduler.viewer; shared/adapters/gcp/cloud-scheduler-monitor.ts) to raise
  # scheduler_unhealthy; the viewer role reads jobs and locations, and changes nothing.
  function_extra_roles = {
    "health-check"           = ["projects/${var.project_id}/roles/${local.vertex_roles.reader.role_id}", "roles/cloudscheduler.viewer"]
    "post-deploy-validation" = ["projects/${var.project_id}/roles/${local.vertex_roles.validator.role_id}"]
    "rollback"               = ["roles/aiplatform.user"]
  }

  # Exactly the permissions of the Vertex AI calls each function makes (shared/adapters/gcp/vertex-*.ts),
  # named as in https://cloud.google.com/vertex-ai/docs/general/iam-permissions:
  #   ListModels, ListModelVersions → models.list; GetModel → models.get;
  #   ListModelEvaluations (a version's metrics) → modelEvaluations.list;
  #   GetEndpoint → endpoints.get; ListEndpoints → endpoints.list; Predict → endpoints.predict
  #   (no Explain any more: a pinned prediction is a Predict attributed by deployedModelId);
  #   ListPipelineJobs → pipelineJobs.list (the health check reads recent training runs);
  #   UpdateModel (the validation's quarantine label) → models.update;
  #   on the validation endpoint only: DeployModel → endpoints.deploy, UndeployModel → endpoints.undeploy,
  #   UpdateEndpoint (its traffic) → endpoints.update.
  vertex_roles = {
    reader = {
      role_id = "fgVertexPredictReader"
      title   = "forecast-guard Vertex AI predict and read"
      permissions = [
        "aiplatform.endpoints.get",
        "aiplatform.endpoints.list",
        "aiplatform.endpoints.predict",
        "aiplatform.modelEvaluations.list",
        "aiplatform.models.get",
        "aiplatform.models.list",
        "aiplatform.pipelineJobs.list",
      ]
    }
    validator = {
      role_id = "fgVertexValidator"
      title   = "forecast-guard Vertex AI predict, read and quarantine"
      permissions = [
        "aiplatform.endpoints.get",
        "aiplatform.endpoints.list",
        "aiplatform.endpoints.predict",
        "aiplatform.modelEvaluations.list",
        "aiplatform.models.get",
        "aiplatform.models.list",
        "aiplatform.models.update",
      ]
    }
    # Granted on google_vertex_ai_endpoint.validation only (an endpoint IAM policy), never on the project:
    # with it the validation deploys a version there, gives it the endpoint's traffic and undeploys it, and
    # can still not touch a book's endpoint. Not checked against a live project: whether DeployModel also
    # wants aiplatform.models.deploy on the Model (the IAM permissions page lists it; Vertex's docs do not
    # say which checks DeployModel makes). If it does, the first canary validation fails PERMISSION_DENIED
    # naming it; adding models.deploy/models.undeploy to the validator role above would be safe, since
    # deploying anywhere else still needs endpoints.deploy on that endpoint.
    # fg-deployer's, on the project: Terraform reads and writes fg-validation's IAM policy
    # (google_vertex_ai_endpoint_iam_member); roles/aiplatform.user does not hold these (the endpoint
    # access-control page names roles/aiplatform.admin for them).
    endpoint_iam_admin = {
      role_id = "fgVertexEndpointIamAdmin"
      title   = "forecast-guard deployer: Vertex AI endpoint IAM policies"
      permissions = [
        "aiplatform.endpoints.getIamPolicy",
        "aiplatform.endpoints.setIamPolicy",
      ]
    }
    validation_endpoint = {
      role_id = "fgVertexValidationEndpoint"
      title   = "forecast-guard Vertex AI deploy on the validation endpoint"
      permissions = [
        "aiplatform.endpoints.deploy",
        "aiplatform.endpoints.undeploy",
        "aiplatform.endpoints.update",
      ]
    }
  }

  # The functions granted the validation_endpoint role on the validation endpoint: those that ask a version
  # holding less than all of its book's traffic (predict with { version }) and may not deploy elsewhere:
  # post-deploy validation (validation/probes.ts, batch-inference.ts). Rollback pins too (switch-book.ts)
  # but deploys anywhere already (roles/aiplatform.user); the health check predicts unpinned; the deploy
  # path (shared/services/deploy) runs from the CLI as an operator or fg-deployer, not as a function.
  validation_endpoint_users = ["post-deploy-validation"]

  # Functions that read the actual-sales CSVs (when var.sales_data_bucket is set).
  # sales-data-events reads which books a new drop holds.
  sales_readers = ["health-check", "post-deploy-validation", "sales-data-events"]

  # Secret Manager secret id of each secret variable (values are added with gcloud, never here).
  secret_ids = {
    SLACK_WEBHOOK_URL            = "fg-slack-webhook-url"
    SLACK_ESCALATION_WEBHOOK_URL = "fg-slack-escalation-webhook-url"
    SMTP_URL                     = "fg-smtp-url"
    MLFLOW_TRACKING_TOKEN        = "fg-mlflow-tracking-token"
  }

  # Which function reads which secret: the two that send, and the MLflow token for the three that read the
  # registry (shared/services: health-check, validation, rollback). (The HTTP rollback function needs no
  # FG_ROLLBACK_TOKEN on Google Cloud: IAM checks the caller before its code runs.)
  function_secrets = {
    "alert-dispatch"         = ["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL"]
    "daily-summary"          = ["SLACK_WEBHOOK_URL", "SMTP_URL"]
    "health-check"           = ["MLFLOW_TRACKING_TOKEN"]
    "post-deploy-validation" = ["MLFLOW_TRACKING_TOKEN"]
    "rollback"               = ["MLFLOW_TRACKING_TOKEN"]
  }

  # (function, secret variable) pairs actually mounted in this environment.
  function_secret_env = {
    for fn, _ in local.topology.functions : fn => [
      for name in lookup(local.function_secrets, fn, []) : name if contains(var.enabled_secrets, name)
    ]
  }
  secret_grants = merge([
    for fn, names in local.function_secret_env : { for name in names : "${fn}/${name}" => { function = fn, secret = name } }
  ]...)

  # (function, project role) pairs.
  function_role_grants = merge([
    for fn, _ in local.topology.functions : {
      for role in concat(local.common_function_roles, lookup(local.function_extra_roles, fn, [])) :
      "${fn}/${role}" => { function = fn, role = role }
    }
  ]...)

  # A function that mounts SMTP_URL needs these beside it (the config loader refuses one without the other).
  email_env = {
    ALERT_EMAIL_TO   = var.alert_email_to
    ALERT_EMAIL_FROM = var.alert_email_from
  }

  # What every function reads from its environment (shared/config): the Google backend, this environment.
  # FG_SALES_URI: the configured source, else every drop under the notified prefix.
  sales_uri = var.sales_uri != "" ? var.sales_uri : (var.sales_data_bucket != "" ? "gs://${var.sales_data_bucket}/${var.sales_data_prefix}" : "")

  # The registry, the pipeline's endpoints and the Vertex AI quotas; an empty variable leaves the variable
  # unset, so the code's default (shared/config/variables.ts) applies.
  registry_env = { for k, v in {
    FG_REGISTRY                   = var.registry
    MLFLOW_TRACKING_URI           = var.mlflow_tracking_uri
    FG_PIPELINE_TRAIN_START       = var.pipeline_train_start
    FG_VERTEX_ENDPOINT_PATTERN    = var.vertex_endpoint_pattern
    FG_VERTEX_ENDPOINT_LABELS     = join(",", [for key, value in var.vertex_endpoint_labels : "${key}=${value}"])
    FG_VERTEX_VALIDATION_ENDPOINT = var.validation_endpoint_id != "" ? google_vertex_ai_endpoint.validation[0].id : ""
    FG_VERTEX_QUOTAS              = join(",", [for class, n in var.vertex_quotas : "${class}=${n}"])
    FG_VERTEX_QUOTA_SHARE         = var.vertex_quota_share == null ? "" : tostring(var.vertex_quota_share)
  } : k => v if v != "" }

  base_function_env = merge(var.function_env, local.sales_uri != "" ? { FG_SALES_URI = local.sales_uri } : {}, local.registry_env, {
    FG_BACKEND           = "gcp"
    FG_ENVIRONMENT       = var.environment
    GOOGLE_CLOUD_PROJECT = var.project_id
    FG_REGION            = var.region
    FG_LOG_LEVEL         = var.log_level
    # Which new sales objects sales-data-events acts on: the notification's own prefix, checked again in code.
    FG_SALES_UPDATES_PREFIX = var.sales_data_prefix
    # forecast-guard's own identities: post-deploy validation skips the Vertex audit entries of their
    # deployments (logging.tf, deployment_audit), since forecast-guard announces those on model-deployments.
    FG_DEPLOYER_PRINCIPALS = join(",", concat(
      [for sa in google_service_account.function : sa.email],
      [google_service_account.deployer.email],
    ))
  })

  function_names = sort(keys(local.topology.functions))
  # Cloud Run service names of every deployment (a 2nd-gen function's service has its name).
  service_names = sort(concat(keys(local.topology.functions), keys(local.topology.httpFunctions), keys(local.topology.httpSchedules)))

  # Monitoring filter value `one_of("a","b",…)` for the services and for the dead-letter inspect subscriptions.
  services_one_of      = format("one_of(%s)", join(",", [for s in local.service_names : "\"${s}\""]))
  inspect_subs_one_of  = format("one_of(%s)", join(",", [for _, d in local.topology.deadLetterTopics : "\"${d.inspectSubscription}\""]))
  consumer_subs_one_of = format("one_of(%s)", join(",", [for name, _ in local.topology.subscriptions : "\"${name}\""]))
  # Logging query value `("a" OR "b" …)` for the services.
  services_logging = format("(%s)", join(" OR ", [for s in local.service_names : "\"${s}\""]))
}

data "google_project" "this" {
  project_id = var.project_id
}
