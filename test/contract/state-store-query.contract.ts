/**
 * The StateStore contract's query cases: the queries services run (alerts by
 * status, latest health reports of one book, ordered listings), with
 * Firestore's rules on types, missing fields and implicit ordering.
 * Called from describeStateStoreContract with that suite's store.
 */
import type { StateStore } from '../../shared/ports/state-store';
import { reportFigure } from '../helpers/figures';

const ISBN_A = '9780722532935';
const ISBN_B = '9780241003008';
const BASE = Date.parse('2026-03-01T00:00:00.000Z');
const hour = (h: number): string => new Date(BASE + h * 3_600_000).toISOString();

async function ids(store: StateStore, collection: string, query?: Parameters<StateStore['query']>[1]) {
  return (await store.query(collection, query)).map((d) => d.id);
}

export function describeStateStoreQueryCases(suite: string, getStore: () => StateStore): void {
  it('queries alerts by status (==, !=) and by "in", matching only values of the same type', async () => {
    const store = getStore();
    await store.batchSet(
      [
        ['a1', { status: 'firing', severity: 'critical' }],
        ['a2', { status: 'firing', severity: 'warning' }],
        ['a3', { status: 'resolved', severity: 'critical' }],
        ['a4', { status: 'silenced', severity: 'info' }],
        ['a5', { status: 'firing', severity: 'info' }],
        ['a6', { severity: 'warning' }],
        ['a7', { status: 1, severity: 'critical' }],
        ['a8', { status: null, severity: true }],
      ].map(([id, data]) => ({
        collection: 'alerts',
        id: id as string,
        data: data as Record<string, unknown>,
      })),
    );
    const started = Date.now();
    expect(await ids(store, 'alerts', { where: [{ field: 'status', op: '==', value: 'firing' }] })).toEqual([
      'a1',
      'a2',
      'a5',
    ]);
    expect(
      await ids(store, 'alerts', {
        where: [{ field: 'severity', op: 'in', value: ['critical', 'warning'] }],
      }),
    ).toEqual(['a1', 'a2', 'a3', 'a6', 'a7']);
    expect(
      await ids(store, 'alerts', {
        where: [
          { field: 'status', op: '==', value: 'firing' },
          { field: 'severity', op: 'in', value: ['critical', 'warning'] },
        ],
      }),
    ).toEqual(['a1', 'a2']);
    // != skips missing and null values and orders by the field: numbers before strings.
    expect(await ids(store, 'alerts', { where: [{ field: 'status', op: '!=', value: 'resolved' }] })).toEqual(
      ['a7', 'a1', 'a2', 'a5', 'a4'],
    );
    expect(await ids(store, 'alerts', { where: [{ field: 'status', op: '==', value: null }] })).toEqual([
      'a8',
    ]);
    expect(await ids(store, 'alerts', { where: [{ field: 'severity', op: '==', value: true }] })).toEqual([
      'a8',
    ]);
    expect(await ids(store, 'alerts', { where: [{ field: 'status', op: '==', value: '1' }] })).toEqual([]);
    reportFigure(suite, 'query-alerts', `7 queries over 8 alerts in ${Date.now() - started} ms`);
  });

  it('finds the latest health reports of one book: range on an ISO time, orderBy desc, limit', async () => {
    const store = getStore();
    const reports = [
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `r0${i}`,
        data: { isbn: ISBN_A, observedAt: hour(i) },
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        id: `s0${i}`,
        data: { isbn: ISBN_B, observedAt: hour(100 + i) },
      })),
    ];
    // Written out of order, so the order seen comes from the query.
    for (const r of [...reports].reverse()) await store.set('health-reports', r.id, r.data);
    const started = Date.now();
    const latest = await store.query('health-reports', {
      where: [{ field: 'isbn', op: '==', value: ISBN_A }],
      orderBy: { field: 'observedAt', direction: 'desc' },
      limit: 3,
    });
    expect(latest.map((d) => d.id)).toEqual(['r09', 'r08', 'r07']);
    expect(latest[0]?.data).toEqual({ isbn: ISBN_A, observedAt: hour(9) });
    const window = await ids(store, 'health-reports', {
      where: [
        { field: 'observedAt', op: '>=', value: hour(2) },
        { field: 'observedAt', op: '<', value: hour(5) },
      ],
    });
    expect(window).toEqual(['r02', 'r03', 'r04']);
    const since = await ids(store, 'health-reports', {
      where: [
        { field: 'isbn', op: '==', value: ISBN_A },
        { field: 'observedAt', op: '>', value: hour(6) },
      ],
      orderBy: { field: 'observedAt', direction: 'desc' },
      limit: 5,
    });
    expect(since).toEqual(['r09', 'r08', 'r07']);
    reportFigure(
      suite,
      'query-latest-reports',
      `3 range queries over 13 reports in ${Date.now() - started} ms`,
    );
  });

  it('orders 100 documents by a numeric field both ways, with and without a filter', async () => {
    const store = getStore();
    await store.batchSet(
      Array.from({ length: 100 }, (_, i) => ({
        collection: 'ranked',
        id: `d${String(i).padStart(3, '0')}`,
        data: { rank: (i * 37) % 100, label: `book ${i}` },
      })),
    );
    const ranks = async (query: Parameters<StateStore['query']>[1]) =>
      (await store.query<{ rank: number }>('ranked', query)).map((d) => d.data.rank);
    const started = Date.now();
    expect(await ranks({ orderBy: { field: 'rank' } })).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const elapsed = Date.now() - started;
    expect(await ranks({ orderBy: { field: 'rank', direction: 'desc' }, limit: 10 })).toEqual([
      99, 98, 97, 96, 95, 94, 93, 92, 91, 90,
    ]);
    expect(
      await ranks({
        where: [{ field: 'rank', op: '<', value: 5 }],
        orderBy: { field: 'rank', direction: 'desc' },
      }),
    ).toEqual([4, 3, 2, 1, 0]);
    // Without orderBy, an inequality still orders by its field.
    expect(await ranks({ where: [{ field: 'rank', op: '>=', value: 97 }] })).toEqual([97, 98, 99]);
    expect(await ids(store, 'ranked', { limit: 3 })).toEqual(['d000', 'd001', 'd002']);
    reportFigure(suite, 'query-order-100', `orderBy over 100 docs in ${elapsed} ms`);
  });
}
