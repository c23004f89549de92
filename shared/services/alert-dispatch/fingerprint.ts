/** Stage 2, fingerprint: the alert's identity, (environment, kind, isbn) hashed. */
import { alertFingerprint } from '../../domain/alerting/fingerprint';
import type { Observation } from '../../domain/alerting/state-machine';
import type { ValidAlert } from './validate';

/** The observation dispatch works with: the alert, its environment and its fingerprint. */
export function fingerprintAlert(valid: ValidAlert): Observation {
  const { alert, environment } = valid;
  return {
    alert,
    environment,
    fingerprint: alertFingerprint({ environment, kind: alert.kind, isbn: alert.isbn }),
  };
}
