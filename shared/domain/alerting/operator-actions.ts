/**
 * What people and timers do to an alert besides observing it: acknowledge,
 * silence, escalate an unacknowledged critical, send a held-back resolution,
 * and mark warnings as told by the daily summary. Pure: each takes the
 * stored state and returns the state to write (the caller's transaction
 * writes it), or says why nothing should happen.
 */
import type { AlertState } from '../../contracts/documents/alert-state';
import { ConflictError } from '../../errors';
import { isSilenced } from './state-machine';

/**
 * Records who acknowledged the alert. An acknowledgement stops reminders and
 * escalation for this episode and ends when the alert resolves, so a
 * resolved alert cannot be acknowledged (ConflictError).
 */
export function acknowledgeAlert(state: AlertState, by: string, now: Date): AlertState {
  if (state.status === 'resolved') {
    throw new ConflictError(
      `alert ${state.fingerprint} (${state.kind}) is resolved; an acknowledgement ends when an alert resolves`,
    );
  }
  return { ...state, acknowledgedBy: by, acknowledgedAt: now.toISOString(), version: state.version + 1 };
}

/**
 * Silences the alert until `until` (any status: a silence outlives episodes).
 * A silence in the past is refused (ConflictError) since it would do nothing.
 */
export function silenceAlert(state: AlertState, until: Date, now: Date): AlertState {
  if (until.getTime() <= now.getTime()) {
    throw new ConflictError(`a silence must end in the future (got ${until.toISOString()})`);
  }
  return { ...state, silencedUntil: until.toISOString(), version: state.version + 1 };
}

/** Whether a timer (escalation, held-back resolution) fires now, with the state to write, or why not. */
export type TimerVerdict = { due: true; next: AlertState } | { due: false; reason: string };

/**
 * Whether the escalation timer set when the episode starting at
 * `episodeStartedAt` first notified should fire now: the alert must still be
 * that episode, critical, firing, unacknowledged, unsilenced and not
 * escalated yet. On `due`, `next` records the escalation.
 */
export function escalationVerdict(
  state: AlertState | undefined,
  episodeStartedAt: string,
  now: Date,
): TimerVerdict {
  if (!state) return { due: false, reason: 'the alert no longer exists' };
  if (state.firstSeenAt !== episodeStartedAt) return { due: false, reason: 'a later episode replaced it' };
  if (state.status !== 'firing') return { due: false, reason: `it is ${state.status}` };
  if (state.severity !== 'critical') return { due: false, reason: `it is now ${state.severity}` };
  if (state.acknowledgedBy) return { due: false, reason: `acknowledged by ${state.acknowledgedBy}` };
  if (state.escalatedAt) return { due: false, reason: `already escalated at ${state.escalatedAt}` };
  if (isSilenced(state, now)) return { due: false, reason: `silenced until ${state.silencedUntil}` };
  return {
    due: true,
    next: {
      ...state,
      escalatedAt: now.toISOString(),
      notifyCount: state.notifyCount + 1,
      version: state.version + 1,
    },
  };
}

/**
 * Whether a resolution notice held back at `resolvedAt` should go now: the
 * alert must still be resolved from that moment (a flap cancels it).
 */
export function resolutionVerdict(state: AlertState | undefined, resolvedAt: string): TimerVerdict {
  if (!state) return { due: false, reason: 'the alert no longer exists' };
  if (state.status !== 'resolved' || state.resolvedAt !== resolvedAt) {
    return { due: false, reason: 'it fired again before the resolution held (a flap)' };
  }
  return { due: true, next: { ...state, notifyCount: state.notifyCount + 1, version: state.version + 1 } };
}

/**
 * A warning has now been told in the daily summary: a `pending` warning
 * becomes `firing` (told), and every warning records the time, so the next
 * digest can say which are new.
 */
export function markDigested(state: AlertState, now: Date): AlertState {
  const next: AlertState = {
    ...state,
    lastNotifiedAt: now.toISOString(),
    notifyCount: state.notifyCount + 1,
    version: state.version + 1,
  };
  if (next.status === 'pending') {
    next.status = 'firing';
    delete next.pendingSince;
  }
  return next;
}
