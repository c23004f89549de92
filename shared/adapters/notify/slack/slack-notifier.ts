/**
 * The Slack channel: one POST of a Block Kit message to an incoming webhook
 * per notification (@slack/webhook, its own retries off — the dispatch
 * stage owns retry and reads `retryable` / `retryAfterMs` off the error).
 */
import { IncomingWebhook, type FetchFunction } from '@slack/webhook';
import { systemClock } from '../../../ports/clock';
import type { Notification, Notifier } from '../../../ports/notifier';
import type { NotifierDeps } from '../deps';
import { checkNotification, parseChannelConfig } from '../validate';
import { SlackNotifierConfigSchema, type SlackNotifierConfig } from './slack-config';
import { translateSlackError } from './slack-errors';
import { renderSlackMessage } from './slack-render';

/** Posts notifications to one Slack incoming webhook. Build it with `createSlackNotifier`. */
export class SlackNotifier implements Notifier {
  readonly channel: string;
  private readonly webhookUrl: string;
  private readonly timeoutMs: number;
  private readonly secrets: string[];
  private readonly deps: Required<NotifierDeps>;

  constructor(config: SlackNotifierConfig, deps: NotifierDeps) {
    const parsed = parseChannelConfig(SlackNotifierConfigSchema, config, config?.channel ?? 'slack');
    this.channel = parsed.channel;
    this.webhookUrl = parsed.webhookUrl;
    this.timeoutMs = parsed.timeoutMs;
    const url = new URL(parsed.webhookUrl);
    // The path is the credential (`/services/T…/B…/token`); the whole URL goes too, in any spelling.
    this.secrets = [parsed.webhookUrl, url.href, `${url.pathname}${url.search}`, url.pathname].filter(
      (s) => s.length > 1,
    );
    this.deps = { logger: deps.logger, clock: deps.clock ?? systemClock };
  }

  /** Posts one message; throws a `NotifyDeliveryError` (retryable or not) when Slack does not take it. */
  async send(notification: Notification): Promise<void> {
    checkNotification(notification, this.channel);
    const log = this.deps.logger.child({
      channel: this.channel,
      notificationId: notification.id,
      correlationId: notification.correlationId,
    });
    let retryAfter: string | null = null;
    // Wrapping fetch is the only way to see the response headers (Retry-After) through @slack/webhook.
    const fetchFn: FetchFunction = async (url, init) => {
      const response = await fetch(url, init as RequestInit);
      retryAfter = response.headers.get('retry-after');
      return response;
    };
    const webhook = new IncomingWebhook(this.webhookUrl, {
      timeout: this.timeoutMs,
      fetch: fetchFn,
      retryConfig: { retries: 0 },
    });
    const started = this.deps.clock.now().getTime();
    try {
      await webhook.send(renderSlackMessage(notification));
    } catch (err) {
      const error = translateSlackError(err, {
        channel: this.channel,
        secrets: this.secrets,
        retryAfter,
        timeoutMs: this.timeoutMs,
        now: this.deps.clock.now(),
      });
      log.warning(`${this.channel} notification failed`, {
        error,
        retryable: error.retryable,
        status: error.status,
        retryAfterMs: error.retryAfterMs,
        durationMs: this.deps.clock.now().getTime() - started,
      });
      throw error;
    }
    log.debug(`${this.channel} notification sent`, {
      kind: notification.kind,
      severity: notification.severity,
      durationMs: this.deps.clock.now().getTime() - started,
    });
  }
}

/**
 * A Slack notifier for one webhook. `config.channel` names it: `slack` for
 * alerts, `slack-escalation` for the escalation webhook. Throws a
 * `ValidationError` naming the field when the config is bad (the URL is
 * never echoed).
 */
export function createSlackNotifier(config: SlackNotifierConfig, deps: NotifierDeps): SlackNotifier {
  return new SlackNotifier(config, deps);
}
