/** Alerts and policies for the alerting domain tests. */
import type { Alert } from '../../../../shared/contracts/messages/alert';
import { alertFingerprint } from '../../../../shared/domain/alerting/fingerprint';
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from '../../../../shared/domain/alerting/policy';
import type { Observation } from '../../../../shared/domain/alerting/state-machine';

export const ISBN = '9780722532935';
export const ISBN_2 = '9780241003008';
export const T0 = new Date('2024-05-01T10:00:00.000Z');

export const minutes = (n: number) => n * 60_000;
export const hours = (n: number) => n * 3_600_000;
export const at = (ms: number) => new Date(T0.getTime() + ms);

let seq = 0;

/** A critical RMSE alert on ISBN, one fresh observation per call; `overrides` win. */
export function alert(overrides: Partial<Alert> = {}): Alert {
  seq += 1;
  return {
    kind: 'rmse_above_threshold',
    severity: 'critical',
    status: 'firing',
    isbn: ISBN,
    modelVersion: '22',
    summary: 'RMSE 112.4 is above the production limit 80',
    details: { rmse: 112.4 },
    source: 'health-check',
    observedAt: new Date(T0.getTime() + seq).toISOString(),
    correlationId: `corr-${seq}`,
    environment: 'production',
    ...overrides,
  };
}

export function observe(a: Alert): Observation {
  const environment = a.environment ?? 'production';
  return {
    alert: a,
    environment,
    fingerprint: alertFingerprint({ environment, kind: a.kind, isbn: a.isbn }),
  };
}

export function policy(overrides: Partial<AlertPolicy> = {}): AlertPolicy {
  return { ...DEFAULT_ALERT_POLICY, ...overrides };
}
