/**
 * A notification as the alerting domain writes it and every channel sends
 * it (Slack, email, the log): plain data, rendered by each channel for its
 * medium. Declared here, below the domain and the Notifier port, so the
 * domain can compose notifications without knowing about channels.
 */

/** Which severity a notification carries. */
export type NotificationSeverity = 'critical' | 'warning' | 'info';

/** What a notification is about: an alert firing (or again, or cleared), an escalation, the digest, a test. */
export type NotificationKind = 'firing' | 'repeat' | 'resolved' | 'escalation' | 'digest' | 'test';

export interface Notification {
  /** Stable id: a channel may receive the same notification twice and must not care. */
  id: string;
  severity: NotificationSeverity;
  kind: NotificationKind;
  title: string;
  /** Plain text lines; channels escape them for their medium. */
  lines: string[];
  correlationId: string;
  links?: Array<{ label: string; url: string }>;
  /**
   * One runbook per alert kind the notification tells about
   * (`docs/runbooks/<kind>.md` under FG_RUNBOOK_BASE_URL). A URL channels
   * link to; a repository-relative path they print as text.
   */
  runbooks?: Array<{ kind: string; url: string }>;
}
