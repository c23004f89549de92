/**
 * Notification channels (Slack, email over SMTP, log): `buildNotifiers`
 * for the wiring, the per-channel factories and config schemas, and the
 * error every channel throws.
 */
export { buildNotifiers, NOTIFIER_REGISTRY, type NotifierRegistration } from './registry';
export type { NotifierDeps } from './deps';
export { NotifyDeliveryError } from './notify-error';
export { createSlackNotifier, SlackNotifier } from './slack/slack-notifier';
export { SlackNotifierConfigSchema, type SlackNotifierConfig } from './slack/slack-config';
export { createEmailNotifier, EmailNotifier } from './email/email-notifier';
export { EmailNotifierConfigSchema, type EmailNotifierConfig } from './email/email-config';
export {
  createLogNotifier,
  LogNotifier,
  LogNotifierConfigSchema,
  type LogNotifierConfig,
} from './log/log-notifier';
