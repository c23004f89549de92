/** Rollback groups its state writes across books, on the embedded backend (see helpers/batching.ts). */
import { describeBatching } from './helpers/batching';

describeBatching('embedded', () => undefined);
