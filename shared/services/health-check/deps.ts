/** The ports a health check drives, passed in whole so tests and the bench can swap any of them. */
import type { Logger } from '../../logging/logger';
import type { Clock } from '../../ports/clock';
import type { PublisherFor } from '../../ports/event-bus';
import type { ModelRegistry } from '../../ports/model-registry';
import type { PipelineMonitor } from '../../ports/pipeline-monitor';
import type { ScheduleMonitor } from '../../ports/schedule-monitor';
import type { SalesData } from '../../ports/sales-data';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface HealthCheckDeps {
  registry: ModelRegistry;
  serving: ServingTarget;
  pipelines: PipelineMonitor;
  sales: SalesData;
  state: StateStore;
  /** The scheduler's jobs (`scheduler_unhealthy`); absent where no scheduler can be read. */
  schedules?: ScheduleMonitor;
  bus: PublisherFor<'health-check'>;
  /** Time of day: report times, alert times, freshness and pipeline age. */
  clock: Clock;
  logger: Logger;
  /**
   * Monotonic milliseconds for latencies and durations (a duration is not a
   * time of day, and the fleet clock may jump); `performance.now` by default.
   */
  monotonic?: () => number;
}
