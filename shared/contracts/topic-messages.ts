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
  // deployment sink exports (ModelDeploymentsMessage, functions/post-deploy-validation).
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
