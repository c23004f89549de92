/** The observe stage: the Alert contract, the environment settled, the fingerprint. */
import { alertFingerprint } from '../../../../shared/domain/alerting/fingerprint';
import { observationKey, observeAlert } from '../../../../shared/domain/alerting/observation';
import { ValidationError } from '../../../../shared/errors';
import { alert } from './builders';

describe('observeAlert', () => {
  it("keeps the alert's own environment and fingerprints it there", () => {
    const a = alert({ environment: 'staging' });
    const obs = observeAlert(a, 'production');
    expect(obs.environment).toBe('staging');
    expect(obs.fingerprint).toBe(alertFingerprint({ environment: 'staging', kind: a.kind, isbn: a.isbn }));
    expect(obs.alert).toEqual(a);
  });

  it("gives an alert without an environment the dispatcher's", () => {
    const { environment: _unset, ...a } = alert();
    const obs = observeAlert(a, 'staging');
    expect(obs.environment).toBe('staging');
    expect(obs.fingerprint).toBe(alertFingerprint({ environment: 'staging', kind: a.kind, isbn: a.isbn }));
    expect(observationKey(obs)).toBe(`staging:${obs.fingerprint}`);
  });

  it('refuses a payload that breaks the Alert contract, naming the field', () => {
    expect(() => observeAlert({ ...alert(), severity: 'urgent' }, 'production')).toThrow(ValidationError);
    expect(() => observeAlert({ ...alert(), severity: 'urgent' }, 'production')).toThrow(/severity/);
  });
});
