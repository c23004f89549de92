/** Each notification the domain composes links the runbook of every alert kind it tells about. */
import type { AlertState } from '../../../../shared/contracts/documents/alert-state';
import { composeDigest } from '../../../../shared/domain/alerting/digest';
import { composeEscalation } from '../../../../shared/domain/alerting/escalation';
import { groupItemFrom, type GroupItem } from '../../../../shared/domain/alerting/group-item';
import { composeNotifications } from '../../../../shared/domain/alerting/grouping';
import { transitionAlert } from '../../../../shared/domain/alerting/state-machine';
import { isbn13CheckDigit } from '../../../../shared/domain/isbn';
import { alert, at, ISBN, minutes, observe, policy } from './builders';

const BASE = 'https://github.com/acme/forecast-guard/blob/main/docs/runbooks/';

function item(overrides: Parameters<typeof alert>[0] = {}): GroupItem {
  const a = alert({ runId: 'run-1', ...overrides });
  const obs = observe(a);
  return groupItemFrom(a, {
    fingerprint: obs.fingerprint,
    environment: obs.environment,
    notify: 'firing',
    severity: a.severity,
  });
}

function state(overrides: Parameters<typeof alert>[0]): AlertState {
  return transitionAlert(undefined, observe(alert(overrides)), { now: at(0), policy: policy() }).next!;
}

function isbnN(n: number): string {
  const stem = `978000${String(n).padStart(6, '0')}`;
  return `${stem}${isbn13CheckDigit(stem)}`;
}

describe('runbook links in notifications', () => {
  it('a book group lists one runbook per kind it contains, in first-seen order', () => {
    const items = [
      item({ kind: 'rmse_spike' }),
      item({ kind: 'mape_increase' }),
      item({ kind: 'rmse_spike', isbn: ISBN }),
    ];
    const [composed] = composeNotifications(items, { idBase: 'g', stormThreshold: 20, runbookBaseUrl: BASE });
    expect(composed!.notification.runbooks).toEqual([
      { kind: 'rmse_spike', url: `${BASE}rmse_spike.md` },
      { kind: 'mape_increase', url: `${BASE}mape_increase.md` },
    ]);
  });

  it('a storm summary and a fleet-level notification link their kinds too', () => {
    const books = Array.from({ length: 3 }, (_, i) =>
      item({ kind: i === 0 ? 'data_drift' : 'rmse_spike', isbn: isbnN(i) }),
    );
    const fleet = item({ kind: 'pipeline_stale', isbn: undefined, severity: 'warning' });
    const out = composeNotifications([...books, fleet], {
      idBase: 'g',
      stormThreshold: 2,
      runbookBaseUrl: 'docs/runbooks/',
    });
    const byId = new Map(out.map((c) => [c.notification.id, c.notification.runbooks]));
    expect(byId.get('g:fleet:f')).toEqual([
      { kind: 'pipeline_stale', url: 'docs/runbooks/pipeline_stale.md' },
    ]);
    expect(byId.get('g:storm:f')).toEqual([
      { kind: 'data_drift', url: 'docs/runbooks/data_drift.md' },
      { kind: 'rmse_spike', url: 'docs/runbooks/rmse_spike.md' },
    ]);
  });

  it('without a runbook base, notifications carry no runbooks (text unchanged)', () => {
    const [composed] = composeNotifications([item({ kind: 'rmse_spike' })], {
      idBase: 'g',
      stormThreshold: 20,
    });
    expect(composed!.notification.runbooks).toBeUndefined();
  });

  it('an escalation links its kind', () => {
    const s = state({ kind: 'endpoint_unhealthy', severity: 'critical' });
    expect(composeEscalation(s, 'e', at(minutes(40)), BASE).runbooks).toEqual([
      { kind: 'endpoint_unhealthy', url: `${BASE}endpoint_unhealthy.md` },
    ]);
  });

  it('the digest links a runbook per kind it lists', () => {
    const digest = composeDigest({
      id: 'd',
      date: '2024-05-01',
      environment: 'production',
      correlationId: 'c',
      warnings: [
        state({ kind: 'data_drift', severity: 'warning' }),
        state({ kind: 'data_drift', severity: 'warning', isbn: isbnN(1) }),
      ],
      criticals: [state({ kind: 'rollback_failed', severity: 'critical' })],
      undelivered: 0,
      runbookBaseUrl: BASE,
    });
    expect(digest.notification.runbooks).toEqual([
      { kind: 'rollback_failed', url: `${BASE}rollback_failed.md` },
      { kind: 'data_drift', url: `${BASE}data_drift.md` },
    ]);
  });
});
