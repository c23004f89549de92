/** Documents the services keep in the StateStore, and which collection holds which. */
import type { z } from 'zod';
import type { CollectionName } from '../collections';
import { COLLECTIONS } from '../collections';
import { AlertState } from './alert-state';
import { Approval } from './approval';
import { HealthReport } from './health-report';
import { LastKnownGood } from './last-known-good';
import { MetricObservations } from './metric-observations';
import { MetricPoint, MetricRollup } from './metric-point';
import { PendingNotification } from './pending-notification';
import { ProcessedMessage } from './processed-message';
import { RollbackBackup, RollbackLease, RollbackRecord } from './rollback';
import { ValidationReport } from './validation-report';

export * from './alert-state';
export * from './approval';
export * from './health-report';
export * from './last-known-good';
export * from './metric-observations';
export * from './metric-point';
export * from './pending-notification';
export * from './processed-message';
export * from './rollback';
export * from './validation-report';

/** The schema of the documents in each collection, for stores and tools that read them back. */
export const DOCUMENT_SCHEMAS = {
  [COLLECTIONS.alertStates]: AlertState,
  [COLLECTIONS.pendingNotifications]: PendingNotification,
  [COLLECTIONS.lastKnownGood]: LastKnownGood,
  [COLLECTIONS.rollbackLeases]: RollbackLease,
  [COLLECTIONS.rollbackBackups]: RollbackBackup,
  [COLLECTIONS.rollbackRecords]: RollbackRecord,
  [COLLECTIONS.processedMessages]: ProcessedMessage,
  [COLLECTIONS.healthReports]: HealthReport,
  [COLLECTIONS.metricPoints]: MetricPoint,
  [COLLECTIONS.metricRollups]: MetricRollup,
  [COLLECTIONS.metricObservations]: MetricObservations,
  [COLLECTIONS.validationReports]: ValidationReport,
  [COLLECTIONS.approvals]: Approval,
} as const satisfies Record<CollectionName, z.ZodType>;
