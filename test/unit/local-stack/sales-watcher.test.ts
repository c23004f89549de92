/**
 * The local sales folder watcher publishes what Cloud Storage would for an
 * OBJECT_FINALIZE: once a file has held still (a copy in progress is not
 * announced), the documented attributes and the object resource, and on a
 * rewrite the generation it overwrote. What is there at start is not new.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { storageEventFrom } from '../../../shared/contracts/external/storage-notification';
import { SalesFolderWatcher } from '../../../shared/local-stack/sales-watcher';
import { ensureTopology } from '../../../shared/wiring/topology-setup';

describe('SalesFolderWatcher', () => {
  let dir: string;
  let bus: SqliteEventBus;
  let watcher: SalesFolderWatcher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fg-sales-watch-'));
    bus = SqliteEventBus.open(':memory:');
    await ensureTopology(bus);
    await bus.ensureSubscription({
      name: 'tap',
      topic: 'sales-data-updates',
      ackDeadlineSeconds: 10,
      maxDeliveryAttempts: 5,
      minBackoffSeconds: 10,
      maxBackoffSeconds: 600,
    });
    writeFileSync(join(dir, 'sales.csv'), 'isbn,title,week_ending,volume\n');
    // Polled by hand: the interval is longer than any test.
    watcher = new SalesFolderWatcher({ dir, bus, intervalMs: 3_600_000 });
    await watcher.start();
  });

  afterEach(async () => {
    await watcher.stop();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The published messages as a push subscription would deliver them, decoded by the function's contract. */
  const delivered = async () =>
    (await bus.pull('tap', 10)).map((m) =>
      storageEventFrom({
        message: { messageId: m.id, data: m.data.toString('base64'), attributes: m.attributes },
      }),
    );

  it('announces nothing for what was there at start, nor for non-CSV files', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await watcher.poll();
    await watcher.poll();
    expect(await delivered()).toEqual([]);
  });

  it('announces a dropped CSV once it has held still, as a JSON_API_V1 OBJECT_FINALIZE without overwroteGeneration', async () => {
    writeFileSync(join(dir, 'drop-2025-08-16.csv'), 'isbn,title,week_ending,volume\n');
    await watcher.poll();
    expect(await delivered()).toEqual([]); // seen once: it may still be being written
    await watcher.poll();
    const [event, ...more] = await delivered();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      eventType: 'OBJECT_FINALIZE',
      bucket: 'local',
      name: 'drop-2025-08-16.csv',
      object: { contentType: 'text/csv', size: '30' },
    });
    expect(event!.generation).toMatch(/^[0-9]{16}$/);
    expect(event!.overwroteGeneration).toBeUndefined();
    await watcher.poll();
    expect(await delivered()).toEqual([]);
  });

  it('waits while a file keeps changing, and reports a rewrite with the generation it overwrote', async () => {
    const file = join(dir, 'sales.csv');
    writeFileSync(file, 'isbn,title,week_ending,volume\n9780722532935');
    utimesSync(file, new Date('2025-08-16T10:00:00Z'), new Date('2025-08-16T10:00:00Z'));
    await watcher.poll();
    writeFileSync(file, 'isbn,title,week_ending,volume\n9780722532935,The Alchemist,2025-08-16,12\n');
    utimesSync(file, new Date('2025-08-16T10:00:01Z'), new Date('2025-08-16T10:00:01Z'));
    await watcher.poll();
    expect(await delivered()).toEqual([]);
    await watcher.poll();
    const [event] = await delivered();
    expect(event).toMatchObject({ name: 'sales.csv', generation: '1755338401000000' });
    expect(event!.eventTime).toBe('2025-08-16T10:00:01.000000Z');
    expect(event!.overwroteGeneration).toMatch(/^[0-9]{16}$/);
    expect(event!.overwroteGeneration).not.toBe(event!.generation);
  });
});
