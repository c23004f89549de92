/**
 * The email channel: one message per notification over SMTP (nodemailer,
 * a fresh connection per send — alert mail is rare, and a pooled socket
 * would outlive a Cloud Function's request). Sent to every `to` address.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { systemClock } from '../../../ports/clock';
import type { Notification, Notifier } from '../../../ports/notifier';
import type { NotifierDeps } from '../deps';
import { checkNotification, parseChannelConfig } from '../validate';
import {
  EmailNotifierConfigSchema,
  smtpSecrets,
  smtpTransportOptions,
  type EmailNotifierConfig,
} from './email-config';
import { translateSmtpError } from './email-errors';
import { renderEmail } from './email-render';

/** Mails notifications through one SMTP server. Build it with `createEmailNotifier`. */
export class EmailNotifier implements Notifier {
  readonly channel: string;
  private readonly from: string;
  private readonly to: string[];
  private readonly secrets: string[];
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly deps: Required<NotifierDeps>;

  constructor(config: EmailNotifierConfig, deps: NotifierDeps) {
    const parsed = parseChannelConfig(EmailNotifierConfigSchema, config, config?.channel ?? 'email');
    this.channel = parsed.channel;
    this.from = parsed.from;
    this.to = [...parsed.to];
    this.secrets = smtpSecrets(parsed.smtpUrl);
    this.transport = createTransport(smtpTransportOptions(parsed));
    this.deps = { logger: deps.logger, clock: deps.clock ?? systemClock };
  }

  /** Sends one message; throws a `NotifyDeliveryError` (retryable or not) when the server does not take it. */
  async send(notification: Notification): Promise<void> {
    checkNotification(notification, this.channel);
    const log = this.deps.logger.child({
      channel: this.channel,
      notificationId: notification.id,
      correlationId: notification.correlationId,
    });
    const mail = renderEmail(notification, this.from);
    const started = this.deps.clock.now().getTime();
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transport.sendMail({
        from: this.from,
        to: this.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
    } catch (err) {
      const error = translateSmtpError(err, { channel: this.channel, secrets: this.secrets });
      log.warning(`${this.channel} notification failed`, {
        error,
        retryable: error.retryable,
        status: error.status,
        durationMs: this.deps.clock.now().getTime() - started,
      });
      throw error;
    }
    const durationMs = this.deps.clock.now().getTime() - started;
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) {
      // Some recipients took it: sending again would duplicate it for them, so this is reported, not thrown.
      log.warning(`${this.channel} notification refused for some recipients`, {
        rejected,
        accepted: info.accepted.length,
        durationMs,
      });
      return;
    }
    log.debug(`${this.channel} notification sent`, {
      kind: notification.kind,
      severity: notification.severity,
      messageId: mail.messageId,
      recipients: info.accepted.length,
      durationMs,
    });
  }
}

/**
 * An email notifier for one SMTP server. Throws a `ValidationError` naming
 * the field when the config is bad (the SMTP URL is never echoed).
 */
export function createEmailNotifier(config: EmailNotifierConfig, deps: NotifierDeps): EmailNotifier {
  return new EmailNotifier(config, deps);
}
