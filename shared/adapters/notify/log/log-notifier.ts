/**
 * The log channel: one structured log line per notification, at a Cloud
 * Logging severity that matches the alert (critical → CRITICAL, warning →
 * WARNING, info → INFO, a resolution → NOTICE). Always on: on a laptop it
 * is where alerts show up with no Slack or SMTP configured, and on Google
 * Cloud a log-based metric can count them. It never fails — a malformed
 * notification is still logged, with what is wrong with it.
 */
import { z } from 'zod';
import type { LogSeverity } from '../../../logging/logger';
import type { Notification, Notifier } from '../../../ports/notifier';
import type { NotifierDeps } from '../deps';
import { headline, runbooksOf, safeLinks } from '../render';
import { NotificationSchema, parseChannelConfig } from '../validate';

export const LogNotifierConfigSchema = z.object({
  /** The notifier's name in routes and on its log lines. */
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and hyphens')
    .default('log'),
});

export type LogNotifierConfig = z.input<typeof LogNotifierConfigSchema>;

/** The log severity a notification is written at. */
export function logSeverityOf(n: Pick<Notification, 'severity' | 'kind'>): LogSeverity {
  if (n.kind === 'resolved') return 'NOTICE';
  if (n.severity === 'critical') return 'CRITICAL';
  if (n.severity === 'warning') return 'WARNING';
  return 'INFO';
}

const WRITE: Record<LogSeverity, 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical'> = {
  DEBUG: 'debug',
  INFO: 'info',
  NOTICE: 'notice',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
};

/** Writes notifications as log lines. Build it with `createLogNotifier`. */
export class LogNotifier implements Notifier {
  readonly channel: string;
  private readonly deps: NotifierDeps;

  constructor(config: LogNotifierConfig, deps: NotifierDeps) {
    this.channel = parseChannelConfig(LogNotifierConfigSchema, config, 'log').channel;
    this.deps = deps;
  }

  /** Logs one line: message `notification: [CRITICAL] title`, the rest as fields. Never throws. */
  async send(notification: Notification): Promise<void> {
    try {
      const checked = NotificationSchema.safeParse(notification);
      const n = notification ?? ({} as Partial<Notification>);
      const shape = { severity: n.severity ?? 'info', kind: n.kind ?? 'firing' } as const;
      const severity = logSeverityOf(shape);
      const title = typeof n.title === 'string' ? headline({ ...shape, title: n.title }) : '(no title)';
      this.deps.logger[WRITE[severity]](`notification: ${title}`, {
        channel: this.channel,
        notificationId: n.id,
        correlationId: n.correlationId,
        kind: n.kind,
        alertSeverity: n.severity,
        title: n.title,
        lines: n.lines,
        links: Array.isArray(n.links) ? safeLinks({ links: n.links }) : undefined,
        runbooks: Array.isArray(n.runbooks)
          ? runbooksOf({ runbooks: n.runbooks }).map((r) => r.url)
          : undefined,
        invalid: checked.success
          ? undefined
          : checked.error.issues.map(
              (i) => `${['notification', ...i.path.map(String)].join('.')} ${i.message}`,
            ),
      });
    } catch {
      // The logger never throws; this guards the field building above. A log channel must not fail a dispatch.
    }
  }
}

/** A log notifier writing through `deps.logger`. */
export function createLogNotifier(config: LogNotifierConfig, deps: NotifierDeps): LogNotifier {
  return new LogNotifier(config, deps);
}
