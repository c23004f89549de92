/** Messages forecast-guard publishes and consumes on its own topics (their schemas are this folder; README "Layout"). */
import type { z } from 'zod';
import { Alert } from './alert';
import { DailySummaryRequest } from './daily-summary-request';
import { HealthCheckRequest } from './health-check-request';
import { LifecycleEvent } from './lifecycle-event';
import { ModelDeployed } from './model-deployed';
import { RollbackRequest } from './rollback-request';

export * from './alert';
export * from './daily-summary-request';
export * from './health-check-request';
export * from './lifecycle-event';
export * from './model-deployed';
export * from './rollback-request';

/** Every message schema by its name, the name `parseWith` puts in errors. */
export const MESSAGE_SCHEMAS = {
  HealthCheckRequest,
  DailySummaryRequest,
  Alert,
  ModelDeployed,
  RollbackRequest,
  LifecycleEvent,
} as const satisfies Record<string, z.ZodType>;
export type MessageName = keyof typeof MESSAGE_SCHEMAS;
