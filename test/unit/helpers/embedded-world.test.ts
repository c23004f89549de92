/**
 * The shared embedded test world opens the same files the embedded backend
 * does, taps what it is asked to, drains a tap completely, and leaves nothing
 * behind when closed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fleetDbPath } from '../../../shared/adapters/local/fleet-db';
import { stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { QUEUE_DB_FILE } from '../../../shared/wiring/backend';
import { embeddedWorld } from '../../helpers/embedded-world';

const FIXED = '2025-01-01T09:00:00.000Z';
const clock = { now: () => new Date(FIXED), sleep: async () => undefined };

describe('embeddedWorld', () => {
  it('opens the embedded backend’s files in a fresh dir and removes the dir on close', async () => {
    const world = await embeddedWorld({ prefix: 'fg-world-test-' });
    expect(world.dir).toContain('fg-world-test-');
    for (const file of [fleetDbPath(world.dir), stateDbPath(world.dir), join(world.dir, QUEUE_DB_FILE)]) {
      expect(existsSync(file)).toBe(true);
    }
    await world.close();
    expect(existsSync(world.dir)).toBe(false);
  });

  it('drains every message on a tap across batches, and nothing twice', async () => {
    const world = await embeddedWorld({ taps: { 'test-tap': 'alerts' } });
    try {
      for (let i = 0; i < 130; i++) await world.bus.publish('alerts', { data: { n: i } });
      const first = await world.drain('test-tap');
      expect(first.map((m) => JSON.parse(m.data.toString('utf8')).n)).toEqual(
        Array.from({ length: 130 }, (_, i) => i),
      );
      expect(await world.drain('test-tap')).toEqual([]);
    } finally {
      await world.close();
    }
  });

  it('runs the fleet adapters and the state store on the given clock', async () => {
    const world = await embeddedWorld({ clock });
    try {
      const v = await world.registry.registerVersion({
        isbn: '9780722532935',
        metrics: { rmse: 1, mape: 1 },
        dataHash: 'h',
        trainedThrough: '2024-11-30',
        forecast: { mean: [1], lower: [1], upper: [1] },
      });
      expect(v.createdAt).toBe(FIXED);
      expect(world.clock).toBe(clock);
    } finally {
      await world.close();
    }
  });

  it('uses the StateStore and EventBus a test supplies, and closes them with the world', async () => {
    const closed: string[] = [];
    const inner = await embeddedWorld();
    const world = await embeddedWorld({
      ports: () => ({
        state: Object.assign(Object.create(inner.state) as typeof inner.state, {
          close: async () => void closed.push('state'),
        }),
        bus: Object.assign(Object.create(inner.bus) as typeof inner.bus, {
          close: async () => void closed.push('bus'),
        }),
      }),
    });
    expect(Object.getPrototypeOf(world.state)).toBe(inner.state);
    await world.close();
    expect(closed).toEqual(['bus', 'state']);
    await inner.close();
  });
});
