# Production: deployed by cloudbuild.production.yaml after an approver approves,
# with the bundle staging validated for the same commit.
# Placeholders (example.com, the GitHub owner) are this checkout's; set yours.

project_id         = "forecast-guard-production"
environment        = "production"
region             = "europe-west2"
firestore_location = "europe-west2"
tf_state_bucket    = "forecast-guard-production-tfstate"

github_owner  = "book-publisher"
github_repo   = "forecast-guard"
deploy_branch = "^main$"

operators       = ["group:forecast-guard-operators@example.com"]
build_approvers = ["group:forecast-guard-release-approvers@example.com"]
oncall_emails   = ["forecast-guard-oncall@example.com"]

# Secrets with a value in this project's Secret Manager (values never live here).
enabled_secrets  = ["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL", "MLFLOW_TRACKING_TOKEN"]
alert_email_to   = "forecast-oncall@example.com"
alert_email_from = "forecast-guard <forecast-guard@example.com>"

# The publisher's sales drops: a new object under raw_data/ re-checks its books;
# the functions read the weekly file itself (ISBN_data.csv beside it is not sales).
sales_data_bucket = "book-sales-production-data"
sales_uri         = "gs://book-sales-production-data/raw_data/UK_weekly_data.csv"

# The publisher's models: its pipeline registers arima_book_<ISBN> in MLflow and deploys each book to a
# Vertex AI endpoint book-sales-<ISBN> labelled purpose=book_sales_forecasting. The MLflow server's
# bearer token is the fg-mlflow-tracking-token secret (MLFLOW_TRACKING_TOKEN in enabled_secrets).
registry                = "mlflow"
mlflow_tracking_uri     = "https://mlflow.production.example.com"
vertex_endpoint_pattern = "book-sales-{isbn}"
vertex_endpoint_labels  = { purpose = "book_sales_forecasting" }
pipeline_train_start    = "2012-01-01"
# The fg-validation endpoint (vertex.tf): numeric id, as the provider requires.
validation_endpoint_id  = "1000000001"
# Documented Vertex AI quotas apply until the project's are raised, e.g. vertex_quotas = { resource_management = 1200 }.

log_level          = "info"
log_retention_days = 400

promote_from_bucket = "forecast-guard-staging-fg-functions"
