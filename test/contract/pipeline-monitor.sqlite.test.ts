import { openFleetDb } from '../../shared/adapters/local/fleet-db';
import type { SqliteDatabase } from '../../shared/adapters/local/sqlite';
import { SqlitePipelineMonitor } from '../../shared/adapters/local/sqlite-pipeline-monitor';
import { ValidationError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import { aPipelineRun } from '../builders/model';
import { describePipelineMonitorContract } from './pipeline-monitor.contract';

/** A clock the test moves by hand. */
function manualClock(start: string): Clock & { set(iso: string): void } {
  let now = new Date(start);
  return { now: () => now, sleep: async () => undefined, set: (iso) => (now = new Date(iso)) };
}

describePipelineMonitorContract('SqlitePipelineMonitor (:memory:)', async () => {
  const db = openFleetDb(':memory:');
  return {
    monitor: new SqlitePipelineMonitor(db, { clock: manualClock('2024-05-01T12:00:00.000Z') }),
    close: async () => {
      db.close();
    },
  };
});

describe('SqlitePipelineMonitor, embedded only', () => {
  let db: SqliteDatabase;
  beforeEach(() => {
    db = openFleetDb(':memory:');
  });
  afterEach(() => db.close());

  it('orders a run not started yet by when it was first recorded, and keeps that place', async () => {
    const clock = manualClock('2024-05-01T06:30:00.000Z');
    const monitor = new SqlitePipelineMonitor(db, { clock });
    const early = aPipelineRun({ startTime: '2024-05-01T06:00:00.000Z' });
    const late = aPipelineRun({ startTime: '2024-05-01T07:00:00.000Z' });
    const {
      startTime: _none,
      endTime: _notYet,
      ...queued
    } = aPipelineRun({ state: 'PIPELINE_STATE_QUEUED' });
    await monitor.recordRun(early);
    await monitor.recordRun(late);
    await monitor.recordRun(queued);

    clock.set('2024-05-01T09:00:00.000Z');
    await monitor.recordRun({ ...queued, state: 'PIPELINE_STATE_PENDING' });
    expect((await monitor.listRuns()).map((r) => r.id)).toEqual([late.id, queued.id, early.id]);
  });

  it('orders microsecond and millisecond timestamps by time, not by text', async () => {
    const monitor = new SqlitePipelineMonitor(db, { clock: manualClock('2024-05-01T00:00:00.000Z') });
    const micro = aPipelineRun({ startTime: '2024-05-01T10:00:05.123456Z' });
    const whole = aPipelineRun({ startTime: '2024-05-01T10:00:05Z' });
    await monitor.recordRun(micro);
    await monitor.recordRun(whole);
    expect((await monitor.listRuns()).map((r) => r.id)).toEqual([micro.id, whole.id]);
    expect((await monitor.getRun(micro.id))?.startTime).toBe('2024-05-01T10:00:05.123456Z');
  });

  it('names a bad limit or since', async () => {
    const monitor = new SqlitePipelineMonitor(db, { clock: manualClock('2024-05-01T00:00:00.000Z') });
    await expect(monitor.listRuns({ limit: 0 })).rejects.toThrow(/limit: must be a whole number/);
    const err = await monitor.listRuns({ since: 'yesterday' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['since']);
  });
});
