# Firestore (native mode): the StateStore. Collection names are those of
# shared/contracts/collections.ts; test/infra checks every name here and that
# every composite query the services make has its index.

resource "google_firestore_database" "default" {
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  # Point-in-time recovery: reads (and so restores) of any minute of the last 7 days, not only the last hour
  # (https://cloud.google.com/firestore/docs/pitr): alert state, last-known-good and the rollback audit can
  # be recovered after a bad write or a bad deploy.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  # Losing alert state, last-known-good versions and the rollback audit to a `terraform destroy` is never wanted.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.api]
}

locals {
  # Collections whose documents carry `expireAt`; the FirestoreStateStore writes a Timestamp copy in
  # `expireAtTs` (shared/adapters/gcp/firestore-documents.ts), the only type a TTL policy acts on.
  ttl_collections = ["processed-messages", "health-reports", "pending-notifications", "metric-points", "metric-rollups"]
  ttl_field       = "expireAtTs"

  # Composite indexes, equality fields first, then the ordered (or inequality) field:
  #   "<name>" = { collection = "…", fields = [{ field = "…", order = "ASCENDING" }, …] }
  # Every other query the services make (test/infra reads them from the code) filters by equality
  # only, or filters and orders on one field, which single-field indexes serve. The infra tests fail
  # the day a query needs one that is not declared here.
  firestore_indexes = {
    # The metric-anomaly step seeds a book's kept history, once, from its newest points (isbn ==, ordered by at, newest first).
    "metric-points-by-isbn-at-desc" = {
      collection = "metric-points",
      fields     = [{ field = "isbn", order = "ASCENDING" }, { field = "at", order = "DESCENDING" }]
    }
    # One book's metric series in time order (shared/services/history/).
    "metric-points-by-isbn-at" = {
      collection = "metric-points",
      fields     = [{ field = "isbn", order = "ASCENDING" }, { field = "at", order = "ASCENDING" }]
    }
    # One book's weekly rollups in week order (shared/services/history/book-trend.ts).
    "metric-rollups-by-isbn-week" = {
      collection = "metric-rollups",
      fields     = [{ field = "isbn", order = "ASCENDING" }, { field = "week", order = "ASCENDING" }]
    }
  }
}

resource "google_firestore_field" "ttl" {
  for_each = toset(local.ttl_collections)

  database   = google_firestore_database.default.name
  collection = each.value
  field      = local.ttl_field

  # Documents are deleted (within about a day) once expireAtTs has passed; reads already hide them.
  ttl_config {}

  # No single-field indexes on the TTL field: nothing queries it, and a timestamp index hot-spots.
  index_config {}
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  database    = google_firestore_database.default.name
  collection  = each.value.collection
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field
      order      = fields.value.order
    }
  }
}
