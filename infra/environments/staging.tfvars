# Staging: every merge to main deploys here (cloudbuild.yaml), then is validated.
# Placeholders (example.com, the GitHub owner) are this checkout's; set yours.

project_id         = "forecast-guard-staging"
environment        = "staging"
region             = "europe-west2"
firestore_location = "europe-west2"
tf_state_bucket    = "forecast-guard-staging-tfstate"

github_owner  = "book-publisher"
github_repo   = "forecast-guard"
deploy_branch = "^main$"

operators       = ["group:forecast-guard-operators@example.com"]
build_approvers = []
oncall_emails   = ["forecast-guard-oncall@example.com"]

# Secrets with a value in this project's Secret Manager (values never live here).
enabled_secrets = ["SLACK_WEBHOOK_URL"]

# The publisher's sales drops: a new object under raw_data/ re-checks its books;
# the functions read the weekly file itself (ISBN_data.csv beside it is not sales).
sales_data_bucket = "book-sales-staging-data"
sales_uri         = "gs://book-sales-staging-data/raw_data/UK_weekly_data.csv"

function_env = {
  FG_REGISTRY = "vertex"
}
log_level          = "debug"
log_retention_days = 30

# Production's deployer promotes the bundle staging validated.
artifact_readers = ["serviceAccount:fg-deployer@forecast-guard-production.iam.gserviceaccount.com"]
