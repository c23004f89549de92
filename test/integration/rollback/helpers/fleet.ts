/**
 * Test fleets for rollback, seeded only through the ports: each book gets
 * versions 1..n (`registerVersion`), the one before last deployed and then
 * the last taking 100 % (`setTraffic`, so v(n-1) stays deployed at 0 %), the
 * production alias on the last, and a last-known-good pointer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS } from '../../../../shared/contracts/collections';
import type { LastKnownGood } from '../../../../shared/contracts/documents/last-known-good';
import { loadConfig } from '../../../../shared/config';
import { createSilentLogger } from '../../../../shared/logging/capture';
import { PRODUCTION_ALIAS } from '../../../../shared/ports/model-registry';
import type { StateStore } from '../../../../shared/ports/state-store';
import type { RollbackDeps, RollbackPorts, RollbackSettings } from '../../../../shared/services/rollback';
import { openBackend, type Backend } from '../../../../shared/wiring/backend';
import { ensureTopology } from '../../../../shared/wiring/topology-setup';
import { aForecast, aNewModelVersion, nextIsbn } from '../../../builders/model';
import { portsAndSettings } from '../../../builders/rollback';

export interface TestWorld {
  dir: string;
  backend: Backend;
  /** The StateStore rollback uses (the embedded one, or Firestore on the emulator). */
  state: StateStore;
  deps(overrides?: Partial<RollbackDeps>): RollbackDeps;
  /** `deps` split as the service takes it: ports, then settings. */
  parts(overrides?: Partial<RollbackDeps>): [RollbackPorts, RollbackSettings];
  close(): Promise<void>;
}

/** A fresh embedded backend in a temp dir (or `dir`); `state` replaces its StateStore (Firestore tests). */
export async function openWorld(
  state?: StateStore,
  dir: string = mkdtempSync(join(tmpdir(), 'fg-rollback-')),
): Promise<TestWorld> {
  const backend = openBackend(loadConfig({ FG_STATE_DIR: dir }));
  await ensureTopology(backend.bus);
  const store = state ?? backend.state;
  const world: TestWorld = {
    dir,
    backend,
    state: store,
    parts: (overrides = {}) => portsAndSettings(world.deps(overrides)),
    deps: (overrides = {}) => ({
      state: store,
      registry: backend.registry,
      serving: backend.serving,
      bus: backend.bus,
      clock: backend.clock,
      logger: createSilentLogger(),
      holder: `test@${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      ...overrides,
    }),
    close: async () => {
      await backend.close();
      if (state) await state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

export interface SeededBook {
  isbn: string;
  versions: string[];
}

/**
 * One book with `versions` versions; the last serves at 100 %, the one
 * before stays deployed at 0 %, the alias and last-known-good name the last
 * (or `lastKnownGood`).
 */
export async function seedBook(
  world: Pick<TestWorld, 'backend' | 'state'>,
  options: { versions?: number; lastKnownGood?: string | null; isbn?: string } = {},
): Promise<SeededBook> {
  const isbn = options.isbn ?? nextIsbn();
  const count = options.versions ?? 3;
  const versions: string[] = [];
  for (let i = 0; i < count; i++) {
    const v = await world.backend.registry.registerVersion(
      aNewModelVersion({ isbn, forecast: aForecast({ weeks: 12, level: 100 + 10 * i }) }),
    );
    versions.push(v.version);
  }
  const last = versions[versions.length - 1]!;
  const before = versions[versions.length - 2];
  if (before) await world.backend.serving.setTraffic(isbn, { [before]: 100 });
  await world.backend.serving.setTraffic(isbn, { [last]: 100 });
  await world.backend.registry.setAlias(isbn, PRODUCTION_ALIAS, last);
  const lkg = options.lastKnownGood === undefined ? last : options.lastKnownGood;
  if (lkg !== null) {
    const doc: LastKnownGood = { isbn, version: lkg, validatedAt: '2024-05-01T12:00:00.000Z', setBy: 'test' };
    await world.state.set(COLLECTIONS.lastKnownGood, isbn, doc);
  }
  return { isbn, versions };
}

export async function seedFleet(
  world: Pick<TestWorld, 'backend' | 'state'>,
  books: number,
  versions = 3,
): Promise<SeededBook[]> {
  const out: SeededBook[] = [];
  for (let i = 0; i < books; i++) out.push(await seedBook(world, { versions }));
  return out;
}

/** What a book serves, in a form to compare: alias and version → percent. */
export async function servingOf(
  world: Pick<TestWorld, 'backend'>,
  isbn: string,
): Promise<{ alias: string | null; traffic: Record<string, number> }> {
  const [alias, serving] = await Promise.all([
    world.backend.registry.getAlias(isbn, PRODUCTION_ALIAS),
    world.backend.serving.getServing(isbn),
  ]);
  const traffic: Record<string, number> = {};
  for (const d of serving?.deployments ?? []) traffic[d.version] = d.trafficPercent;
  return { alias: alias ?? null, traffic };
}

/** True when the alias names the one version taking 100 % of traffic. */
export function consistent(s: { alias: string | null; traffic: Record<string, number> }): boolean {
  const full = Object.entries(s.traffic).filter(([, p]) => p === 100);
  return full.length === 1 && s.alias === full[0]![0];
}
