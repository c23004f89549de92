/**
 * StateStore collection names, in one place so Firestore indexes, TTL
 * policies (infra/) and every service agree. Document ids per collection are
 * noted beside each name.
 */
export const COLLECTIONS = {
  /** AlertState, id = fingerprint. */
  alertStates: 'alert-states',
  /** PendingNotification, id = notification id. */
  pendingNotifications: 'pending-notifications',
  /** LastKnownGood, id = ISBN. */
  lastKnownGood: 'last-known-good',
  /** RollbackLease, id = ISBN (exists while held); `<isbn>:history` keeps the book's serving history. */
  rollbackLeases: 'rollback-leases',
  /** RollbackBackup, id = backupId. */
  rollbackBackups: 'rollback-backups',
  /** RollbackRecord, id = `${rollbackId}:${isbn}`. */
  rollbackRecords: 'rollback-records',
  /** ProcessedMessage, id = `${consumer}:${messageId}`; TTL on `expireAt`. */
  processedMessages: 'processed-messages',
  /** HealthReport, id = runId; TTL on `expireAt`. */
  healthReports: 'health-reports',
  /** MetricPoint, id = `${isbn}:${runId}`; TTL on `expireAt`. */
  metricPoints: 'metric-points',
  /** MetricRollup, id = `${isbn}:${week}` (Monday of the ISO week); TTL on `expireAt`, kept longer. */
  metricRollups: 'metric-rollups',
  /** MetricObservations, id = ISBN: the anomaly step's own bounded history (no TTL). */
  metricObservations: 'metric-observations',
  /** ValidationReport, id = reportId. */
  validationReports: 'validation-reports',
  /** Approval, id = approval id. */
  approvals: 'approvals',
} as const;

export type CollectionKey = keyof typeof COLLECTIONS;
export type CollectionName = (typeof COLLECTIONS)[CollectionKey];
