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
enabled_secrets  = ["SLACK_WEBHOOK_URL", "SLACK_ESCALATION_WEBHOOK_URL", "SMTP_URL"]
alert_email_to   = "forecast-oncall@example.com"
alert_email_from = "forecast-guard <forecast-guard@example.com>"

# The publisher's sales drops: a new object under raw_data/ re-checks its books;
# the functions read the weekly file itself (ISBN_data.csv beside it is not sales).
sales_data_bucket = "book-sales-production-data"
sales_uri         = "gs://book-sales-production-data/raw_data/UK_weekly_data.csv"

function_env = {
  FG_REGISTRY = "vertex"
}
log_level          = "info"
log_retention_days = 400

promote_from_bucket = "forecast-guard-staging-fg-functions"
