/**
 * Wiring for alerting: the alert-dispatch dependencies (state, clock, the
 * notifiers the config enables, policy) built from a loaded Config, in one
 * place for the alert-dispatch and daily-summary functions, the CLI's
 * `alerts test` and the local stack.
 */
import { buildNotifiers } from '../adapters/notify/registry';
import type { Config } from '../config';
import { alertPolicyFrom, type AlertPolicy } from '../domain/alerting/policy';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/state-store';
import type { AlertDispatchDeps } from '../services/alert-dispatch/deps';
import { DELIVERY } from '../topology';

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
    environment: config.environment,
    policy: alertPolicyFrom(config.alerting, options.policy),
    maxDeliveryAttempts: DELIVERY.maxDeliveryAttempts,
  };
}
