# Pub/Sub, exactly as shared/topology.ts says (through topology.json):
# every topic, its dead-letter topic with an inspect subscription, and one
# push subscription per consuming function, delivering to that function's
# URL with dead-lettering after DELIVERY.maxDeliveryAttempts.
#
# Why push subscriptions rather than a function event_trigger: an Eventarc
# trigger creates its own subscription, which Terraform cannot give a
# dead-letter policy, name or ack deadline; with both, every message would be
# delivered twice. The push path is the one the emulators and the local stack
# use, and the functions framework turns the push body into the same
# CloudEvent (see test/integration/functions/*).

resource "google_pubsub_topic" "topic" {
  for_each = local.topology.topics

  name                       = each.key
  message_retention_duration = "604800s"

  depends_on = [google_project_service.api]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.topology.deadLetterTopics

  name                       = each.key
  message_retention_duration = "604800s"

  depends_on = [google_project_service.api]
}

# Dead letters wait here (7 days) for `forecast-guard dead-letters list|replay`.
resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each = local.topology.deadLetterTopics

  name                       = each.value.inspectSubscription
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = local.topology.delivery.ackDeadlineSeconds
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "consumer" {
  for_each = local.topology.subscriptions

  name  = each.key
  topic = google_pubsub_topic.topic[each.value.topic].id
  # A push's ack deadline is its request timeout: the generator raises it to the function's timeout.
  ack_deadline_seconds       = each.value.ackDeadlineSeconds
  message_retention_duration = "604800s"

  push_config {
    # The path names the topic: the functions framework reads it into the CloudEvent's source.
    push_endpoint = "${google_cloudfunctions2_function.function[each.value.consumer].service_config[0].uri}/projects/${var.project_id}/topics/${each.value.topic}"

    oidc_token {
      service_account_email = google_service_account.function[each.value.consumer].email
      audience              = google_cloudfunctions2_function.function[each.value.consumer].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${local.topology.delivery.minBackoffSeconds}s"
    maximum_backoff = "${local.topology.delivery.maxBackoffSeconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.deadLetterTopic].id
    max_delivery_attempts = local.topology.delivery.maxDeliveryAttempts
  }

  # A quiet topic (cloud-builds, daily summaries) must not lose its subscription after 31 idle days.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_cloud_run_v2_service_iam_member.push_invoker,
  ]
}

# Dead-lettering needs Pub/Sub's service agent to publish to each dead-letter
# topic and to acknowledge on each source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.topology.deadLetterTopics

  topic  = google_pubsub_topic.dead_letter[each.key].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.topology.subscriptions

  subscription = google_pubsub_subscription.consumer[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Each function's service account publishes to exactly the topics topology
# lists for it, plus its own dead-letter topic (bad input is republished there).
resource "google_pubsub_topic_iam_member" "function_publisher" {
  for_each = local.topology.publisherGrants

  topic  = each.value.topic
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function[each.value.function].email}"

  depends_on = [google_pubsub_topic.topic, google_pubsub_topic.dead_letter]
}
