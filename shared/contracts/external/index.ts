/** Formats other systems define: Pub/Sub, Eventarc, Cloud Logging (Vertex AI pipelines), Cloud Scheduler, Cloud Build, Cloud Storage. */
export * from './cloud-build';
export * from './cloud-event';
export * from './cloud-scheduler';
export * from './pipeline-job-log-entry';
export * from './pubsub-message';
export * from './storage-notification';
