/**
 * Which contract each topic carries, so a handler, the CLI's `publish` and
 * the dead-letter tools all check a payload the same way. Topic names come
 * from `shared/topology.ts`.
 */
import type { z } from 'zod';
import type { TopicName } from '../topology';
import { CloudBuild } from './external/cloud-build';
import { PipelineJobLogEntry } from './external/pipeline-job-log-entry';
import { StorageObject } from './external/storage-notification';
import { Alert } from './messages/alert';
import { DailySummaryRequest } from './messages/daily-summary-request';
import { HealthCheckRequest } from './messages/health-check-request';
import { LifecycleEvent } from './messages/lifecycle-event';
import { ModelDeployed } from './messages/model-deployed';
import { ModelDeploymentsMessage } from './messages/model-deployments-message';
import { RollbackRequest } from './messages/rollback-request';

export interface TopicContract {
  /** The name errors use: `Alert is invalid: …`. */
  name: string;
  /** The JSON in `message.data`. */
  schema: z.ZodType;
}

export const TOPIC_MESSAGES = {
  'health-check-requests': { name: 'HealthCheckRequest', schema: HealthCheckRequest },
  'daily-summary-requests': { name: 'DailySummaryRequest', schema: DailySummaryRequest },
  'pipeline-events': { name: 'PipelineJobLogEntry', schema: PipelineJobLogEntry },
  alerts: { name: 'Alert', schema: Alert },
  // What forecast-guard publishes here. The consumer also takes the Vertex audit entries the
  // deployment sink exports (CONSUMED_MESSAGES below).
  'model-deployments': { name: 'ModelDeployed', schema: ModelDeployed },
  'rollback-requests': { name: 'RollbackRequest', schema: RollbackRequest },
  'model-lifecycle': { name: 'LifecycleEvent', schema: LifecycleEvent },
  'cloud-builds': { name: 'CloudBuild', schema: CloudBuild },
  // payloadFormat JSON_API_V1: the object resource; NONE carries no data (attributes only).
  'sales-data-updates': { name: 'StorageObject', schema: StorageObject },
} as const satisfies Record<TopicName, TopicContract>;

/**
 * What a publisher may put in `message.data` on topic T: the input its
 * contract accepts (defaults may be left out; the consumer fills them in).
 */
export type TopicPayload<T extends TopicName> = z.input<(typeof TOPIC_MESSAGES)[T]['schema']>;

/**
 * What each topic's consumer accepts, and what its errors call a message,
 * where that differs from what forecast-guard publishes (TOPIC_MESSAGES):
 * post-deploy-validation also takes the Vertex AI audit entries a Cloud
 * Logging sink exports to `model-deployments`; the messages outside services
 * publish are named as their senders call them.
 */
export const CONSUMED_MESSAGES = {
  ...TOPIC_MESSAGES,
  'pipeline-events': { name: 'PipelineJob log entry', schema: PipelineJobLogEntry },
  'model-deployments': { name: 'model-deployments message', schema: ModelDeploymentsMessage },
  'cloud-builds': { name: 'Cloud Build status', schema: CloudBuild },
} as const satisfies Record<TopicName, TopicContract>;

/** What the consumer of topic T is handed: its accepted schema's output. */
export type ConsumedPayload<T extends TopicName> = z.output<(typeof CONSUMED_MESSAGES)[T]['schema']>;
