/** The rollback service on the embedded backend (SQLite StateStore, registry, endpoint and queue). */
import { describeRollbackScenarios } from './helpers/scenarios';

describeRollbackScenarios('embedded', () => undefined);
