import type { AlertKind } from '../../../../shared/contracts/messages/alert';
import { groupItemFrom, type GroupItem } from '../../../../shared/domain/alerting/group-item';
import { composeNotifications } from '../../../../shared/domain/alerting/grouping';
import { alert, ISBN, ISBN_2, observe } from './builders';
import { isbn13CheckDigit } from '../../../../shared/domain/isbn';

function item(
  overrides: Parameters<typeof alert>[0] = {},
  notify: GroupItem['notify'] = 'firing',
): GroupItem {
  const a = alert({ runId: 'run-1', ...overrides });
  const obs = observe(a);
  return groupItemFrom(a, {
    fingerprint: obs.fingerprint,
    environment: obs.environment,
    notify,
    severity: a.severity,
  });
}

/** The n-th valid ISBN-13 of a made-up block. */
function isbnN(n: number): string {
  const stem = `978000${String(n).padStart(6, '0')}`;
  return `${stem}${isbn13CheckDigit(stem)}`;
}

const options = { idBase: 'grp-x', stormThreshold: 20 };

describe('composeNotifications', () => {
  it('sends the conditions of one book from one run as one notification listing each', () => {
    const kinds: AlertKind[] = ['rmse_above_threshold', 'mape_above_threshold', 'rmse_spike'];
    const out = composeNotifications(
      kinds.map((kind) => item({ kind, summary: `${kind} is bad` })),
      options,
    );
    expect(out).toHaveLength(1);
    const n = out[0]!.notification;
    expect(n).toMatchObject({ id: `grp-x:${ISBN}:f`, severity: 'critical', kind: 'firing' });
    expect(n.title).toBe(
      `${ISBN} v22: 3 conditions firing (rmse_above_threshold, mape_above_threshold, rmse_spike)`,
    );
    for (const kind of kinds) expect(n.lines.join('\n')).toContain(`• ${kind} (critical): ${kind} is bad`);
    expect(n.lines.join('\n')).toContain('run run-1');
    expect(n.lines.join('\n')).toContain('forecast-guard alerts ack');
    expect(out[0]!.fingerprints).toHaveLength(3);
  });

  it('keeps books apart, and resolutions apart from firings', () => {
    const out = composeNotifications(
      [item({ isbn: ISBN }), item({ isbn: ISBN_2 }), item({ isbn: ISBN, kind: 'mape_increase' }, 'resolved')],
      options,
    );
    expect(out.map((c) => [c.notification.id, c.notification.kind])).toEqual([
      [`grp-x:${ISBN}:f`, 'firing'],
      [`grp-x:${ISBN_2}:f`, 'firing'],
      [`grp-x:${ISBN}:r`, 'resolved'],
    ]);
    expect(out[2]!.notification.title).toContain('cleared');
  });

  it('marks a group of reminders only as a repeat', () => {
    const out = composeNotifications([item({}, 'repeat'), item({ kind: 'rmse_spike' }, 'repeat')], options);
    expect(out[0]!.notification.kind).toBe('repeat');
    expect(out[0]!.notification.lines[0]).toContain('still firing');
  });

  it('summarises a storm (more books than the threshold) in one notification', () => {
    const items = Array.from({ length: 25 }, (_, i) => item({ isbn: isbnN(i) }));
    const out = composeNotifications(items, options);
    expect(out).toHaveLength(1);
    const n = out[0]!.notification;
    expect(n.id).toBe('grp-x:storm:f');
    expect(n.title).toBe('Alert storm: 25 books with 25 conditions firing in run run-1');
    expect(n.lines.join('\n')).toContain('rmse_above_threshold ×25');
    expect(n.lines.filter((l) => l.startsWith('• '))).toHaveLength(10);
    expect(n.lines.join('\n')).toContain('… and 15 more books');
    expect(out[0]!.fingerprints).toHaveLength(25);
  });

  it('lets a fleet-level alert mute the per-book alerts it explains, and says so', () => {
    const out = composeNotifications(
      [
        item({ kind: 'registry_unreachable', isbn: undefined, summary: 'registry down' }),
        item({ isbn: ISBN }),
        item({ isbn: ISBN_2, kind: 'endpoint_unhealthy' }),
        item({ isbn: ISBN_2, kind: 'pipeline_failed' }),
      ],
      options,
    );
    expect(out.map((c) => c.notification.id)).toEqual(['grp-x:fleet:f', `grp-x:${ISBN_2}:f`]);
    expect(out[0]!.notification.title).toBe('registry down');
    expect(out[0]!.notification.lines.join('\n')).toContain('Muted 2 per-book alerts on 2 books');
    expect(out[1]!.notification.lines.join('\n')).toContain('pipeline_failed');
  });

  it('sends each test alert on its own and carries links and the correlation id', () => {
    const t = item(
      {
        kind: 'test',
        isbn: undefined,
        correlationId: 'corr-t',
        details: { consoleUrl: 'https://console.example/x' },
      },
      'test',
    );
    const out = composeNotifications([t], options);
    expect(out).toHaveLength(1);
    expect(out[0]!.notification).toMatchObject({
      kind: 'test',
      correlationId: 'corr-t',
      links: [{ label: 'Console', url: 'https://console.example/x' }],
    });
  });
});
