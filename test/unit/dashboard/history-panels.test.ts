/**
 * The history panels on the dashboard, over an embedded world after two
 * health checks: each panel is one section with its stable id, its script
 * parses, and its routes answer with the views, or 400 naming the field for
 * bad input.
 */
import { startDashboard, type DashboardServer } from '../../../shared/dashboard/server';
import { DASHBOARD_PAGE } from '../../../shared/dashboard/page';
import { PANELS } from '../../../shared/dashboard/panels';
import type { ViewPorts } from '../../../shared/dashboard/views';
import { runHealthCheck } from '../../../shared/services/health-check';
import { buildWorld, type World } from '../services/health-check/world';

const HISTORY_SECTIONS = ['trend-section', 'compare-section', 'fleet-trend-section'];

describe('history panels', () => {
  let world: World;
  let dashboard: DashboardServer;
  let base: string;

  beforeAll(async () => {
    world = await buildWorld();
    const ports: ViewPorts = {
      config: { environment: 'development', thresholds: { overrides: {} } },
      state: world.state,
      registry: world.registry,
      serving: world.serving,
      sales: world.sales,
      clock: world.clock,
    };
    for (const [i, at] of ['2025-01-01T09:00:00.000Z', '2025-01-01T10:00:00.000Z'].entries()) {
      world.clock.set(at);
      await runHealthCheck(
        { runId: `hc-p-${i}`, trigger: 'schedule', correlationId: `c-${i}` },
        world.deps,
        world.settings(),
      );
    }
    await world.serveBroken(world.isbns[0]!);
    dashboard = await startDashboard({ port: 0, source: { backend: ports } });
    base = `http://127.0.0.1:${dashboard.port}`;
  }, 60_000);
  afterAll(async () => {
    await dashboard.close();
    await world.close();
  });

  it('puts each history panel on the page once, as one section with its id, and its script parses', () => {
    for (const id of HISTORY_SECTIONS) {
      const panel = PANELS.find((p) => p.id === id);
      expect(panel?.markup.startsWith(`<section id="${id}">`)).toBe(true);
      expect(DASHBOARD_PAGE.split(`id="${id}"`)).toHaveLength(2);
      // Plain script: it must compile as a function body (the page-level helpers are resolved at run time).
      expect(() => new Function(panel?.script ?? '')).not.toThrow();
    }
  });

  it("answers a book's trend, a comparison and the fleet over time", async () => {
    const isbn = world.isbns[0]!;
    const trend = (await (await fetch(`${base}/api/books/${isbn}/trend`)).json()) as { points: unknown[] };
    expect(trend.points).toHaveLength(2);
    const compare = (await (await fetch(`${base}/api/books/${isbn}/compare`)).json()) as {
      sides: Array<{ version: string; role: string }>;
    };
    expect(compare.sides.map((s: { version: string; role: string }) => [s.version, s.role])).toEqual([
      ['2', 'serving'],
      ['1', 'served before'],
    ]);
    // A book with one version has nothing to compare: the panel says so (not an error the page logs).
    const single = (await (await fetch(`${base}/api/books/${world.isbns[1]!}/compare`)).json()) as object;
    expect(single).toEqual({
      isbn: world.isbns[1],
      unavailable: expect.stringMatching(/only version 1 is registered/),
    });
    const fleet = (await (await fetch(`${base}/api/fleet/trend?runs=5`)).json()) as { runs: unknown[] };
    expect(fleet.runs).toHaveLength(2);
  });

  it.each([
    ['/api/books/9780000000001/trend', 'isbn'],
    ['/api/books/9780722532935/compare?a=../../x', 'a'],
    ['/api/fleet/trend?runs=lots', 'runs'],
    ['/api/fleet/trend?runs=1', 'runs'],
  ])('refuses %s with 400 naming %s', async (path, field) => {
    const res = await fetch(base + path);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fields?: string[] };
    expect(body.fields ?? []).toContain(field);
  });
});
