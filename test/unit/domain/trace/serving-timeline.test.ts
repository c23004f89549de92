/** Which version served when, from switches and sightings; the week's version; alerts' versions aside. */
import {
  servedDuring,
  servingAt,
  servingTimeline,
  type ServingFact,
} from '../../../../shared/domain/trace/serving-timeline';
import { endpointFact, historyFacts, rollbackFacts } from '../../../../shared/domain/trace/facts';
import type { RollbackRecord } from '../../../../shared/contracts/documents/rollback';

const ISBN = '9780722532935';
const sw = (at: string, version: string, extra: Partial<ServingFact> = {}): ServingFact => ({
  at,
  version,
  kind: 'switch',
  via: 'deploy',
  source: 'test',
  ...extra,
});
const seen = (at: string, version: string): ServingFact => ({
  at,
  version,
  kind: 'sighting',
  via: 'health-check',
  source: 'test',
});

describe('servingTimeline', () => {
  it('starts a segment at each switch, and sightings of the same version only add evidence', () => {
    const segments = servingTimeline([
      seen('2024-06-05T00:00:00.000Z', '2'),
      sw('2024-06-03T00:00:00.000Z', '2', { by: 'bob' }),
      sw('2024-06-10T00:00:00.000Z', '3', { via: 'rollback', by: 'alice', reason: 'spike' }),
    ]);
    expect(segments.map((s) => [s.version, s.from, s.until, s.fromExact])).toEqual([
      ['2', '2024-06-03T00:00:00.000Z', '2024-06-10T00:00:00.000Z', true],
      ['3', '2024-06-10T00:00:00.000Z', undefined, true],
    ]);
    expect(segments[0]!.evidence).toHaveLength(2);
    expect(segments[1]!.cause).toMatchObject({ via: 'rollback', by: 'alice', reason: 'spike' });
  });

  it('bounds a change nobody recorded by the last evidence before it and the version’s registration', () => {
    const registered: Record<string, string> = { '4': '2024-06-06T12:00:00.000Z' };
    const segments = servingTimeline(
      [
        seen('2024-06-05T00:00:00.000Z', '3'),
        seen('2024-06-07T00:00:00.000Z', '4'),
        seen('2024-06-08T00:00:00.000Z', '4'),
      ],
      (v) => registered[v],
    );
    expect(segments[1]).toMatchObject({
      version: '4',
      from: '2024-06-07T00:00:00.000Z',
      fromExact: false,
      changedAfter: '2024-06-06T12:00:00.000Z',
    });
    expect(segments[1]!.cause).toBeUndefined();
    // Without a registration time the last sighting of the version before bounds it.
    expect(
      servingTimeline([seen('2024-06-05T00:00:00.000Z', '3'), seen('2024-06-07T00:00:00.000Z', '4')])[1],
    ).toMatchObject({ changedAfter: '2024-06-05T00:00:00.000Z' });
  });

  it('merges the history entry and the rollback record of one rollback into one cause', () => {
    const history = historyFacts(ISBN, [
      { version: '4', at: '2024-06-10T09:00:00.000Z', via: 'observed' },
      { version: '3', at: '2024-06-10T09:00:00.000Z', via: 'rollback', by: 'alice', rollbackId: 'rb-1' },
    ]);
    const record: RollbackRecord = {
      rollbackId: 'rb-1',
      requestId: 'req-1',
      isbn: ISBN,
      from: '4',
      to: '3',
      status: 'succeeded',
      verified: true,
      durationMs: 10,
      requestedBy: 'alice',
      reason: 'RMSE spike',
      at: '2024-06-10T09:00:00.010Z',
    };
    const segments = servingTimeline([
      sw('2024-06-03T00:00:00.000Z', '3'),
      ...history,
      ...rollbackFacts([record], () => 'corr-rb-1'),
    ]);
    expect(segments.map((s) => s.version)).toEqual(['3', '4', '3']);
    expect(segments[2]!.cause).toMatchObject({
      via: 'rollback',
      by: 'alice',
      reason: 'RMSE spike',
      rollbackId: 'rb-1',
      correlationId: 'corr-rb-1',
    });
  });

  it('ignores rollbacks that failed or were restored: what they aimed at never served', () => {
    const base = {
      rollbackId: 'rb',
      requestId: 'r',
      isbn: ISBN,
      from: '4',
      to: '3',
      verified: false,
      durationMs: 1,
      requestedBy: 'x',
      reason: 'y',
      at: '2024-06-10T00:00:00.000Z',
    };
    expect(
      rollbackFacts([
        { ...base, status: 'failed' },
        { ...base, status: 'restored' },
      ]),
    ).toEqual([]);
  });

  it('reads the endpoint’s version with the most traffic, and nothing when none has any', () => {
    const state = {
      isbn: ISBN,
      deployments: [
        { version: '2', trafficPercent: 10 },
        { version: '3', trafficPercent: 90 },
      ],
      updatedAt: '2024-06-01T00:00:00.000Z',
    };
    expect(endpointFact(state, '2024-06-12T00:00:00.000Z')).toMatchObject([
      { version: '3', via: 'endpoint' },
    ]);
    expect(endpointFact({ ...state, deployments: [{ version: '2', trafficPercent: 0 }] }, 'x')).toEqual([]);
  });
});

describe('servedDuring / servingAt', () => {
  const segments = servingTimeline([
    sw('2024-06-03T00:00:00.000Z', '2'),
    sw('2024-06-04T00:00:00.000Z', '3'),
    sw('2024-06-08T00:00:00.000Z', '2'),
  ]);
  const week = { from: '2024-06-03T00:00:00.000Z', to: '2024-06-10T00:00:00.000Z' };

  it('names the version that served most of the week, summing its spells', () => {
    // v2: 1 day + 2 days = 3 days; v3: 4 days.
    const during = servedDuring(segments, week.from, week.to, '2024-06-20T00:00:00.000Z');
    expect(during.version).toBe('3');
    expect(during.segments.map((s) => [s.version, s.servedMs / 86_400_000])).toEqual([
      ['2', 1],
      ['3', 4],
      ['2', 2],
    ]);
  });

  it('counts an open spell only up to now', () => {
    const during = servedDuring(segments, week.from, week.to, '2024-06-08T12:00:00.000Z');
    expect(during.segments.at(-1)!.servedMs).toBe(12 * 3_600_000);
    expect(during.version).toBe('3');
  });

  it('knows nothing before the first evidence', () => {
    expect(
      servedDuring(
        segments,
        '2024-05-20T00:00:00.000Z',
        '2024-05-27T00:00:00.000Z',
        '2024-06-20T00:00:00.000Z',
      ),
    ).toEqual({ segments: [] });
    expect(servingAt(segments, '2024-06-01T00:00:00.000Z')).toBeUndefined();
    expect(servingAt(segments, '2024-06-05T00:00:00.000Z')?.version).toBe('3');
  });
});
