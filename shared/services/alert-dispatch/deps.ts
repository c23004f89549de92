/** What the alert-dispatch stages (and the daily summary, which sends through them) are built with. */
import type { Environment } from '../../contracts/primitives';
import type { AlertPolicy } from '../../domain/alerting/policy';
import type { Logger } from '../../logging/logger';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifier';
import type { StateStore } from '../../ports/state-store';
import type { DispatchMemory } from './memory';

/** The ports the stages use, with the instance's memory; built by shared/wiring/alerting.ts. */
export interface AlertDispatchPorts {
  state: StateStore;
  /** Every "now", the group wait and the retry schedule come from here, so tests step time instead of sleeping. */
  clock: Clock;
  logger: Logger;
  /** The configured channels (`buildNotifiers`); routing only picks among these. */
  notifiers: readonly Notifier[];
  /** What this dispatcher instance remembers between invocations (`createDispatchMemory`). */
  memory: DispatchMemory;
}

/** The settings the stages read: plain values the wiring maps from config. */
export interface AlertDispatchSettings {
  /** Fills in an alert's environment when its producer left it out (part of the fingerprint). */
  environment: Environment;
  policy: AlertPolicy;
  /**
   * Deliveries Pub/Sub makes before dead-lettering. On the last one a failed
   * send no longer asks for redelivery: the notification is kept pending in
   * the store either way, and a channel outage is not a bad message.
   */
  maxDeliveryAttempts?: number;
}

/** The ports and settings every stage reads, as one value the entry points build once per instance. */
export type AlertDispatchDeps = AlertDispatchPorts & AlertDispatchSettings;
