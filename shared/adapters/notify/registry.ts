/**
 * Every notification channel, in one explicit list (Alertmanager keeps its
 * receivers the same way): each entry names the channel, says how to read
 * its config out of the app `Config` (undefined when that channel is not
 * configured), and how to build it. `buildNotifiers` is the only place the
 * wiring needs: it returns the notifiers the config enables, in this order.
 * Adding a channel is one folder and one entry here.
 */
import type { Config } from '../../config/config';
import type { Notifier } from '../../ports/notifier';
import type { NotifierDeps } from './deps';
import type { EmailNotifierConfig } from './email/email-config';
import type * as EmailNotifierModule from './email/email-notifier';
import { createLogNotifier, type LogNotifierConfig } from './log/log-notifier';
import type { SlackNotifierConfig } from './slack/slack-config';
import type * as SlackNotifierModule from './slack/slack-notifier';

/** One channel: its name, its config as read from the app config, and its factory. */
export interface NotifierRegistration<C> {
  readonly channel: string;
  /** This channel's config, or undefined when the app config leaves it off. */
  configFrom(config: Pick<Config, 'notify'>): C | undefined;
  create(config: C, deps: NotifierDeps): Notifier;
}

/*
 * Slack's and email's clients (`@slack/webhook`, `nodemailer`) are required
 * when a channel is built, not when this list loads: a process whose config
 * enables neither (every function but alert-dispatch, most CLI commands)
 * never pays for loading them at cold start (bench/cold-start.ts).
 */
const createSlackNotifier: typeof SlackNotifierModule.createSlackNotifier = (config, deps) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./slack/slack-notifier') as typeof SlackNotifierModule).createSlackNotifier(config, deps);
const createEmailNotifier: typeof EmailNotifierModule.createEmailNotifier = (config, deps) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./email/email-notifier') as typeof EmailNotifierModule).createEmailNotifier(config, deps);

// Keeps each entry's config type checked against its own factory while the list holds them all.
function register<C>(registration: NotifierRegistration<C>): NotifierRegistration<unknown> {
  return registration as NotifierRegistration<unknown>;
}

/** The channels, in the order `buildNotifiers` returns them. */
export const NOTIFIER_REGISTRY: readonly NotifierRegistration<unknown>[] = [
  register<SlackNotifierConfig>({
    channel: 'slack',
    configFrom: ({ notify }) =>
      notify.slackWebhookUrl ? { channel: 'slack', webhookUrl: notify.slackWebhookUrl } : undefined,
    create: createSlackNotifier,
  }),
  register<SlackNotifierConfig>({
    channel: 'slack-escalation',
    configFrom: ({ notify }) =>
      notify.slackEscalationWebhookUrl
        ? { channel: 'slack-escalation', webhookUrl: notify.slackEscalationWebhookUrl }
        : undefined,
    create: createSlackNotifier,
  }),
  register<EmailNotifierConfig>({
    channel: 'email',
    configFrom: ({ notify }) =>
      notify.smtpUrl && notify.emailFrom && notify.emailTo.length > 0
        ? { channel: 'email', smtpUrl: notify.smtpUrl, to: [...notify.emailTo], from: notify.emailFrom }
        : undefined,
    create: createEmailNotifier,
  }),
  register<LogNotifierConfig>({
    channel: 'log',
    // Always on: it costs nothing and is where alerts land when nothing else is configured.
    configFrom: () => ({ channel: 'log' }),
    create: createLogNotifier,
  }),
];

/**
 * The notifiers `config` enables, in registry order (`slack`,
 * `slack-escalation`, `email`, `log`); `log` is always among them. Throws
 * the channel's `ValidationError` when a configured channel's settings are
 * bad (loadConfig has checked them already, so this means a hand-built Config).
 */
export function buildNotifiers(config: Pick<Config, 'notify'>, deps: NotifierDeps): Notifier[] {
  const notifiers: Notifier[] = [];
  for (const registration of NOTIFIER_REGISTRY) {
    const channelConfig = registration.configFrom(config);
    if (channelConfig !== undefined) notifiers.push(registration.create(channelConfig, deps));
  }
  return notifiers;
}
