/**
 * The first decision of alert dispatch: what was observed. The payload is
 * checked against the Alert contract (a ValidationError naming each bad
 * field, which the Pub/Sub runtime dead-letters with that reason), its
 * environment is settled (an alert whose producer left it out belongs to
 * the environment the dispatcher serves), and its identity is computed
 * (fingerprint.ts). Pure.
 */
import { Alert } from '../../contracts/messages/alert';
import { parseWith } from '../../contracts/parse';
import type { Environment } from '../../contracts/primitives';
import { alertFingerprint } from './fingerprint';
import type { Observation } from './state-machine';

/** The observation dispatch works with: the valid alert, its environment and its fingerprint. */
export function observeAlert(input: unknown, defaultEnvironment: Environment): Observation {
  const alert = parseWith(Alert, input, 'Alert');
  const environment = alert.environment ?? defaultEnvironment;
  return {
    alert,
    environment,
    fingerprint: alertFingerprint({ environment, kind: alert.kind, isbn: alert.isbn }),
  };
}

/** The key one dispatcher serialises an alert's deliveries on: its environment and fingerprint. */
export function observationKey(obs: Pick<Observation, 'environment' | 'fingerprint'>): string {
  return `${obs.environment}:${obs.fingerprint}`;
}
