/** Concurrent rollback requests on one book, embedded backend (five SQLite StateStore connections on one file). */
import { SqliteStateStore, stateDbPath } from '../../../shared/adapters/local/sqlite-state-store';
import { describeConcurrentRequests } from './helpers/concurrent';

describeConcurrentRequests(
  'embedded',
  () => undefined,
  (world) => new SqliteStateStore(stateDbPath(world.dir)),
);
