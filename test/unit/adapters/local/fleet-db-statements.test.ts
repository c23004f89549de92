/**
 * The fleet handle prepares each SQL text once (openFleetDb, reuseStatements):
 * the same statement object comes back, it reads what later writes wrote,
 * and pragmas (which better-sqlite3 prepares through its own path) still work.
 */
import { openFleetDb, FLEET_SCHEMA_VERSION } from '../../../../shared/adapters/local/fleet-db';

describe('openFleetDb statement reuse', () => {
  it('hands back the statement it prepared before for the same SQL, and it sees later writes', () => {
    const db = openFleetDb(':memory:');
    try {
      const count = 'SELECT count(*) AS n FROM models';
      const first = db.prepare(count);
      expect(db.prepare(count)).toBe(first);
      expect(db.prepare('SELECT isbn FROM models')).not.toBe(first);
      expect((db.prepare(count).get() as { n: number }).n).toBe(0);
      db.prepare('INSERT INTO models (isbn, created_at) VALUES (?, ?)').run('9780000000002', '2024-01-01');
      db.prepare('INSERT INTO models (isbn, created_at) VALUES (?, ?)').run('9780000000019', '2024-01-01');
      expect((db.prepare(count).get() as { n: number }).n).toBe(2);
      expect(db.pragma('user_version', { simple: true })).toBe(FLEET_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('still refuses bad SQL, naming it, and caches nothing for it', () => {
    const db = openFleetDb(':memory:');
    try {
      expect(() => db.prepare('SELECT nope FROM models')).toThrow(/no such column: nope/);
      expect(() => db.prepare('SELECT nope FROM models')).toThrow(/no such column: nope/);
    } finally {
      db.close();
    }
  });
});
