/** SIGKILL during an all-models rollback, 20 times over 60 books, embedded backend; recovery by the CLI. */
import { describeKillRecovery } from './helpers/kill';

describeKillRecovery('embedded', () => ({
  iterations: 20,
  books: 60,
  viaCli: true,
  makeState: () => undefined,
}));
