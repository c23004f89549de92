/** The dashboard's alert rows carry their kind's runbook, under the configured base. */
import { request } from 'node:http';
import type { AlertState } from '../../../shared/contracts/documents/alert-state';
import { startDashboard, type DashboardServer } from '../../../shared/dashboard/server';
import type { ViewPorts } from '../../../shared/dashboard/views';
import { DASHBOARD_PAGE } from '../../../shared/dashboard/page';
import { PAGE_SCRIPT } from '../../../shared/dashboard/page-script';

function alertState(kind: AlertState['kind'], fingerprint: string): AlertState {
  return {
    fingerprint,
    kind,
    severity: 'critical',
    status: 'firing',
    isbn: '9780722532935',
    firstSeenAt: '2024-05-01T10:00:00.000Z',
    lastSeenAt: '2024-05-01T11:00:00.000Z',
    notifyCount: 1,
    lastAlert: { summary: `${kind} on 9780722532935` },
  } as unknown as AlertState;
}

function portsWith(states: AlertState[]): ViewPorts {
  return {
    config: { environment: 'production', thresholds: {} },
    state: {
      get: async () => undefined,
      query: async () => states.map((data) => ({ id: data.fingerprint, data })),
    },
  } as unknown as ViewPorts;
}

function getJson(port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard alert rows link their runbook', () => {
  const servers: DashboardServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  async function rows(runbookBaseUrl?: string): Promise<Array<{ kind: string; runbook: string }>> {
    const backend = portsWith([alertState('rmse_spike', 'fp-1'), alertState('endpoint_unhealthy', 'fp-2')]);
    const server = await startDashboard({ port: 0, source: { backend, runbookBaseUrl } });
    servers.push(server);
    const body = (await getJson(server.port, '/api/alerts')) as {
      alerts: Array<{ kind: string; runbook: string }>;
    };
    return body.alerts.map((a) => ({ kind: a.kind, runbook: a.runbook }));
  }

  it('under the configured base URL', async () => {
    expect(await rows('https://github.com/acme/fg/blob/main/docs/runbooks/')).toEqual([
      { kind: 'rmse_spike', runbook: 'https://github.com/acme/fg/blob/main/docs/runbooks/rmse_spike.md' },
      {
        kind: 'endpoint_unhealthy',
        runbook: 'https://github.com/acme/fg/blob/main/docs/runbooks/endpoint_unhealthy.md',
      },
    ]);
  });

  it('under the repository path when no base is configured', async () => {
    expect(await rows()).toEqual([
      { kind: 'rmse_spike', runbook: 'docs/runbooks/rmse_spike.md' },
      { kind: 'endpoint_unhealthy', runbook: 'docs/runbooks/endpoint_unhealthy.md' },
    ]);
  });

  it("the page's row links an http(s) runbook and shows a repository path as text", () => {
    const source = /function runbookLink\(url\) \{[\s\S]*?\n\}/.exec(PAGE_SCRIPT)?.[0];
    expect(source).toBeDefined();
    const el = (tag: string, attrs: Record<string, string>, children: string[]) => ({ tag, attrs, children });
    const runbookLink = new Function('el', `${source}; return runbookLink;`)(el) as (url: string) => unknown;
    expect(runbookLink('https://wiki.example.com/rb/rmse_spike.md')).toMatchObject({
      tag: 'a',
      attrs: { href: 'https://wiki.example.com/rb/rmse_spike.md', rel: 'noopener noreferrer' },
      children: ['runbook'],
    });
    expect(runbookLink('docs/runbooks/rmse_spike.md')).toMatchObject({
      tag: 'code',
      children: ['docs/runbooks/rmse_spike.md'],
    });
    expect(runbookLink('javascript:alert(1)')).toMatchObject({ tag: 'code', attrs: {} });
    expect(DASHBOARD_PAGE).toContain(PAGE_SCRIPT);
  });
});
