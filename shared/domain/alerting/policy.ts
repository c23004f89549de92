/**
 * The knobs of alert handling in one value, so the state machine, grouping
 * and the dispatch stages read the same numbers and tests can set them.
 * The wiring builds it from the loaded config (shared/wiring/alerting.ts);
 * the grouping settings config does not carry have defaults here.
 */
import type { Severity } from '../../contracts/primitives';

/** How alerts are held, repeated, escalated and grouped. */
export interface AlertPolicy {
  /** A still-firing alert is told again after this, by severity. */
  readonly repeatIntervalMs: Readonly<Record<Severity, number>>;
  /** An unacknowledged critical goes to the escalation channel after this (0: never). */
  readonly escalateAfterMs: number;
  /**
   * Flapping guard: a condition must hold this long before it notifies, and a
   * resolution must hold this long before the resolution notice goes (0: at once).
   */
  readonly pendingPeriodMs: number;
  /** The alerts of one run are collected this long before they go out as grouped notifications. */
  readonly groupWaitMs: number;
  /** More books than this in one run is a storm: one summary instead of one notification per book. */
  readonly stormThreshold: number;
  /** Base of the runbook links each notification carries (`<base><kind>.md`); none when absent. */
  readonly runbookBaseUrl?: string;
}

/** A run's alerts are collected this long (the health check publishes them in a burst). */
export const DEFAULT_GROUP_WAIT_MS = 2000;
/** More books than this in one run is a storm. */
export const DEFAULT_STORM_THRESHOLD = 20;

/** The defaults of config (4 h critical repeat, 1 d warning, 30 min escalation, no pending period). */
export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  repeatIntervalMs: { critical: 4 * 3_600_000, warning: 24 * 3_600_000, info: 24 * 3_600_000 },
  escalateAfterMs: 30 * 60_000,
  pendingPeriodMs: 0,
  groupWaitMs: DEFAULT_GROUP_WAIT_MS,
  stormThreshold: DEFAULT_STORM_THRESHOLD,
};
