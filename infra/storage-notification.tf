# New sales data → a health check within minutes. Cloud Storage publishes an
# OBJECT_FINALIZE notification for every object that lands under
# var.sales_data_prefix in var.sales_data_bucket to the sales-data-updates
# topic (https://cloud.google.com/storage/docs/pubsub-notifications); the
# sales-data-events function (its push subscription comes from topology.json)
# turns it into a health check of the books in that object.
#
# Only OBJECT_FINALIZE: an overwrite also sends DELETE or ARCHIVE of the old
# generation, and metadata updates change no row. JSON_API_V1 carries the
# object resource (size, content type) for the log; the code reads the
# attributes, so a NONE config would work too.

# The Cloud Storage service agent of the bucket's project publishes the notifications.
data "google_storage_project_service_account" "sales" {
  count   = var.sales_data_bucket != "" ? 1 : 0
  project = var.sales_data_bucket_project != "" ? var.sales_data_bucket_project : var.project_id
}

resource "google_pubsub_topic_iam_member" "storage_publishes_sales_updates" {
  count = var.sales_data_bucket != "" ? 1 : 0

  topic  = google_pubsub_topic.topic["sales-data-updates"].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${data.google_storage_project_service_account.sales[0].email_address}"
}

resource "google_storage_notification" "sales_data_updates" {
  count = var.sales_data_bucket != "" ? 1 : 0

  bucket             = var.sales_data_bucket
  topic              = google_pubsub_topic.topic["sales-data-updates"].id
  payload_format     = "JSON_API_V1"
  event_types        = ["OBJECT_FINALIZE"]
  object_name_prefix = var.sales_data_prefix

  # Cloud Storage checks that it may publish when the notification is created.
  depends_on = [google_pubsub_topic_iam_member.storage_publishes_sales_updates]
}
