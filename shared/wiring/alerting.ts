/**
 * Wiring for alerting: the alert-dispatch dependencies (state, clock, the
 * notifiers the config enables, policy, the per-instance dispatch memory)
 * built from a loaded Config, in one place for the alert-dispatch and
 * daily-summary functions, the CLI's `alerts test` and the local stack. The
 * mapping from Config to the alerting settings lives here and nowhere else.
 */
import { buildNotifiers } from '../adapters/notify/registry';
import type { AlertingConfig, Config, FlushAuthConfig } from '../config';
import { DEFAULT_RUNBOOK_BASE_URL } from '../contracts/runbooks';
import { DEFAULT_GROUP_WAIT_MS, DEFAULT_STORM_THRESHOLD, type AlertPolicy } from '../domain/alerting/policy';
import type { Logger } from '../logging/logger';
import type { Clock, IdGenerator } from '../ports/clock';
import type { EventBus } from '../ports/event-bus';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/state-store';
import { handlePubSubDelivery } from '../runtime/pubsub-function';
import { createDispatchMemory, dispatchAlert, type AlertDispatchDeps } from '../services/alert-dispatch';
import type { FlushAuthSettings } from '../services/alert-dispatch/flush-auth';
import type { AlertConsumer } from '../services/alert-dispatch/test-alert';
import { DELIVERY, SUBSCRIPTIONS } from '../topology';
import { deliverySpec } from './delivery-spec';

/** Overrides for tests and drills. */
export interface AlertingWiringOptions {
  /** Policy settings that config does not carry (group wait, storm threshold) or that a test overrides. */
  policy?: Partial<AlertPolicy>;
  /** Replaces the channels the config enables (tests). */
  notifiers?: Notifier[];
}

/** The dependencies of alert dispatch and the daily summary for `config`, over the given state store and clock. */
export function alertingDeps(
  config: Pick<Config, 'notify' | 'alerting' | 'environment'>,
  ports: { state: StateStore; clock: Clock },
  logger: Logger,
  options: AlertingWiringOptions = {},
): AlertDispatchDeps {
  return {
    state: ports.state,
    clock: ports.clock,
    logger,
    notifiers: options.notifiers ?? buildNotifiers(config, { logger, clock: ports.clock }),
    // One memory per built deps: functions build their deps once per instance, so it lives as long as the instance.
    memory: createDispatchMemory(),
    environment: config.environment,
    policy: alertPolicyFrom(config.alerting, options.policy),
    maxDeliveryAttempts: DELIVERY.maxDeliveryAttempts,
  };
}

/** The policy for a loaded config; `overrides` (tests, drills) win. Info alerts repeat like warnings. */
export function alertPolicyFrom(
  alerting: Pick<AlertingConfig, 'repeatIntervalMs' | 'escalateAfterMs' | 'pendingPeriodMs'> &
    Partial<Pick<AlertingConfig, 'groupWaitMs' | 'runbookBaseUrl'>>,
  overrides: Partial<AlertPolicy> = {},
): AlertPolicy {
  return {
    repeatIntervalMs: {
      critical: alerting.repeatIntervalMs.critical,
      warning: alerting.repeatIntervalMs.warning,
      info: alerting.repeatIntervalMs.warning,
    },
    escalateAfterMs: alerting.escalateAfterMs,
    pendingPeriodMs: alerting.pendingPeriodMs,
    groupWaitMs: alerting.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS,
    stormThreshold: DEFAULT_STORM_THRESHOLD,
    // Every notification links its kinds' runbooks (FG_RUNBOOK_BASE_URL, default docs/runbooks/).
    runbookBaseUrl: alerting.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
    ...overrides,
  };
}

/** Who may call the flush entry, as `authorizeFlushCall` takes it (FG_FLUSH_AUTH, FG_FLUSH_TOKEN). */
export function flushAuthSettings(config: { flush: FlushAuthConfig }): FlushAuthSettings {
  return config.flush.token === undefined
    ? { auth: config.flush.auth }
    : { auth: config.flush.auth, token: config.flush.token };
}

/**
 * alert-dispatch's subscription and handler, run in this process: what
 * `alerts test` consumes with on the embedded backend when nothing else
 * consumes the queue (no local stack running).
 */
export function localAlertConsumer(
  deps: AlertDispatchDeps & { bus: EventBus; ids: IdGenerator },
): AlertConsumer {
  const subscription = SUBSCRIPTIONS.find((s) => s.consumer === 'alert-dispatch')?.name;
  if (subscription === undefined)
    throw new Error('topology lists no subscription for consumer alert-dispatch');
  const runtime = { state: deps.state, bus: deps.bus, clock: deps.clock, ids: deps.ids, logger: deps.logger };
  return {
    subscription,
    deliver: async (envelope) => {
      await handlePubSubDelivery(
        deliverySpec('alert-dispatch', async (a, ctx) => {
          await dispatchAlert(a, { logger: ctx.logger, deliveryAttempt: ctx.deliveryAttempt }, deps);
        }),
        envelope,
        runtime,
      );
    },
  };
}
