/** The post-deploy loop on the embedded backend: SQLite StateStore and queue. */
import { join } from 'node:path';
import { SqliteEventBus } from '../../../shared/adapters/local/sqlite-event-bus';
import { SqliteStateStore } from '../../../shared/adapters/local/sqlite-state-store';
import { describeBrokenVersionLoop } from './broken-versions';
import { seedLoopWorld } from './loop';

describeBrokenVersionLoop('embedded', () =>
  seedLoopWorld(3, (dir) => ({
    state: new SqliteStateStore(join(dir, 'state.sqlite')),
    bus: SqliteEventBus.open(join(dir, 'queue.sqlite')),
  })),
);
