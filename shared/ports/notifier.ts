/**
 * Notifier: one delivery channel (Slack webhook, SMTP email, log). A failed
 * send throws a ForecastGuardError whose `retryable` says whether to try again.
 */

export interface Notification {
  /** Stable id: a channel may receive the same notification twice and must not care. */
  id: string;
  severity: 'critical' | 'warning' | 'info';
  kind: 'firing' | 'repeat' | 'resolved' | 'escalation' | 'digest' | 'test';
  title: string;
  /** Plain text lines; channels escape them for their medium. */
  lines: string[];
  correlationId: string;
  links?: Array<{ label: string; url: string }>;
}

export interface Notifier {
  readonly channel: string;
  send(notification: Notification): Promise<void>;
}
