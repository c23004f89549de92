/**
 * Notifier: one delivery channel (Slack webhook, SMTP email, log). A failed
 * send throws a ForecastGuardError whose `retryable` says whether to try again.
 */
import type { Notification } from '../contracts/notification';

export type { Notification } from '../contracts/notification';

export interface Notifier {
  readonly channel: string;
  send(notification: Notification): Promise<void>;
}
