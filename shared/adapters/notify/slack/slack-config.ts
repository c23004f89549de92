/**
 * The Slack channel's config: one incoming-webhook URL per notifier. The
 * alert channel and the escalation channel are two notifiers built from
 * the same schema with different `channel` names (`slack`,
 * `slack-escalation`). The URL is a secret: it grants posting rights.
 */
import { z } from 'zod';
import { isWebhookUrl } from '../../../config/env-schema';

export const SlackNotifierConfigSchema = z.object({
  /** The notifier's name in routes, logs and errors. */
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and hyphens')
    .default('slack'),
  /** Secret. https, or plain http to this machine (tests run a stand-in Slack). */
  webhookUrl: z.string().refine(isWebhookUrl, 'must be an https URL (plain http only to a loopback host)'),
  /** One POST may take this long before it counts as failed (and retryable). */
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});

/** What `createSlackNotifier` accepts: `channel` and `timeoutMs` may be left out. */
export type SlackNotifierConfig = z.input<typeof SlackNotifierConfigSchema>;
