import { chunkBackupEntries } from '../../../../shared/domain/rollback/backup-chunks';
import {
  appendHistory,
  HISTORY_LIMIT,
  historyAfterSwitch,
  previousFromHistory,
} from '../../../../shared/domain/rollback/history';
import { decideRecovery } from '../../../../shared/domain/rollback/recovery';
import { selectFleetScope } from '../../../../shared/domain/rollback/scope';
import { desiredForVersion } from '../../../../shared/domain/rollback/serving';
import { isbnFor } from '../../../builders/model';
import { at, ISBN, servingWith } from './books';

describe('serving history', () => {
  it('collapses repeats, keeps the newest entries, and records an unrecorded "from" as observed', () => {
    const h = appendHistory(
      [],
      { version: '1', at, via: 'deploy' },
      { version: '1', at, via: 'deploy' },
      { version: '2', at, via: 'deploy' },
    );
    expect(h.map((e) => e.version)).toEqual(['1', '2']);
    const long = appendHistory(
      [],
      ...Array.from({ length: 30 }, (_, i) => ({ version: String(i), at, via: 'deploy' as const })),
    );
    expect(long).toHaveLength(HISTORY_LIMIT);
    expect(long[0]?.version).toBe('10');
    const after = historyAfterSwitch(h, {
      from: '5',
      to: '1',
      at,
      via: 'rollback',
      by: 'alice',
      rollbackId: 'rb-1',
    });
    expect(after.map((e) => [e.version, e.via])).toEqual([
      ['1', 'deploy'],
      ['2', 'deploy'],
      ['5', 'observed'],
      ['1', 'rollback'],
    ]);
    expect(previousFromHistory(after, '1', () => true)).toBe('5');
    expect(previousFromHistory(after, '1', (v) => v !== '5')).toBe('2');
  });
});

describe('selectFleetScope', () => {
  const a = isbnFor(10);
  const b = isbnFor(11);
  const c = isbnFor(12);
  const served = [
    servingWith({ '3': 100, '2': 0 }, b),
    servingWith({ '2': 90, '3': 10 }, a),
    servingWith({ '1': 0 }, c),
  ];

  it('all: every book with traffic, sorted', () => {
    expect(selectFleetScope('all', served, new Map())).toEqual([a, b]);
  });

  it('emergency: served books with a pointer whose traffic is not all on it', () => {
    expect(
      selectFleetScope(
        'emergency',
        served,
        new Map([
          [a, '2'],
          [b, '3'],
          [c, '1'],
        ]),
      ),
    ).toEqual([a]);
    expect(selectFleetScope('emergency', served, new Map([[b, '2']]))).toEqual([b]);
  });
});

describe('decideRecovery', () => {
  const intent = { from: '3', to: '1', backupId: 'bk-1', desired: desiredForVersion('1'), at };
  const entry = { isbn: ISBN, productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) };

  it('completes a book already exactly as intended', () => {
    expect(
      decideRecovery(intent, { productionAlias: '1', serving: servingWith({ '1': 100, '3': 0 }) }, entry),
    ).toEqual({ action: 'complete' });
  });

  it('restores a half-switched book (traffic moved, alias not) and an untouched one', () => {
    expect(
      decideRecovery(intent, { productionAlias: '3', serving: servingWith({ '1': 100, '3': 0 }) }, entry),
    ).toEqual({ action: 'restore', unchanged: false });
    expect(
      decideRecovery(intent, { productionAlias: '3', serving: servingWith({ '2': 0, '3': 100 }) }, entry),
    ).toEqual({ action: 'restore', unchanged: true });
  });

  it('cannot restore without a usable backup entry', () => {
    expect(decideRecovery(intent, { productionAlias: '3', serving: null }, undefined).action).toBe(
      'unrecoverable',
    );
    expect(
      decideRecovery(intent, { productionAlias: '3', serving: null }, { isbn: ISBN, serving: null }).action,
    ).toBe('unrecoverable');
  });
});

describe('chunkBackupEntries', () => {
  it('keeps every chunk of a 5,000-book backup under the byte limit, in order, with nothing lost', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      isbn: isbnFor(i),
      productionAlias: '12',
      serving: servingWith({ '11': 0, '12': 100 }, isbnFor(i)),
    }));
    const chunks = chunkBackupEntries(entries);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(1_000_000);
    expect(chunks.flat()).toEqual(entries);
    expect(chunkBackupEntries([])).toEqual([[]]);
  });
});
