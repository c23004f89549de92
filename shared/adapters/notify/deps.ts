/** What every notifier is built with besides its own config. */
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../logging/logger';

/**
 * Passed to every `create…Notifier`: the logger it reports deliveries on
 * (never with a secret), and the clock it reads "now" from (Slack's
 * `Retry-After` may be an HTTP date). Default clock: the system's.
 */
export interface NotifierDeps {
  logger: Logger;
  clock?: Pick<Clock, 'now'>;
}
