/**
 * The inhibit stage (and the group stage's view of it). A per-book alert is
 * muted while a fleet-level alert that explains it (registry unreachable,
 * sales data stale) is open in the same environment: looked up here, before
 * the transaction, since it only decides whether to tell people; the rules
 * are in shared/domain/alerting/inhibition.ts. Silences are kept on the
 * alert's own state and applied by the state machine inside the dedup
 * transaction (dedup.ts), so a silence set a moment ago is never missed.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState } from '../../contracts/documents/alert-state';
import type { AlertKind } from '../../contracts/messages/alert';
import type { Environment } from '../../contracts/primitives';
import { alertFingerprint } from '../../domain/alerting/fingerprint';
import { INHIBITION_RULES, isActiveInhibitor, possibleInhibitors } from '../../domain/alerting/inhibition';
import type { Observation } from '../../domain/alerting/state-machine';
import type { StateStore } from '../../ports/state-store';

/** The open fleet-level alert kind that mutes `obs`, if any. */
export async function findInhibitor(obs: Observation, state: StateStore): Promise<AlertKind | undefined> {
  const kinds = possibleInhibitors(obs.alert);
  const open = await Promise.all(kinds.map((kind) => isOpenFleetAlert(state, obs.environment, kind)));
  return kinds.find((_, i) => open[i]);
}

/** Every fleet-level kind open now in `environment` (what mutes per-book alerts). */
export async function openInhibitors(environment: Environment, state: StateStore): Promise<Set<AlertKind>> {
  const sources = INHIBITION_RULES.map((r) => r.source);
  const open = await Promise.all(sources.map((kind) => isOpenFleetAlert(state, environment, kind)));
  return new Set(sources.filter((_, i) => open[i]));
}

async function isOpenFleetAlert(
  state: StateStore,
  environment: Environment,
  kind: AlertKind,
): Promise<boolean> {
  const doc = await state.get<AlertState>(COLLECTIONS.alertStates, alertFingerprint({ environment, kind }));
  return isActiveInhibitor(doc?.data);
}
