/**
 * Checks at the notifier's edge: a channel's config when it is built, and
 * each notification when it is sent. Failures are `ValidationError`s naming
 * the field and the reason, never echoing a value (config values here are
 * webhook URLs and SMTP URLs with passwords).
 */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import type { Notification } from '../../ports/notifier';

const isHttpUrl = (value: string): boolean => {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** A Notification as every channel accepts it; links must be http(s) so no channel renders a `javascript:` link. */
export const NotificationSchema = z.object({
  id: z.string().trim().min(1, 'must not be empty'),
  severity: z.enum(['critical', 'warning', 'info'], { error: 'must be one of critical|warning|info' }),
  kind: z.enum(['firing', 'repeat', 'resolved', 'escalation', 'digest', 'test'], {
    error: 'must be one of firing|repeat|resolved|escalation|digest|test',
  }),
  title: z.string().trim().min(1, 'must not be empty'),
  lines: z.array(z.string(), { error: 'must be a list of strings' }),
  correlationId: z.string().trim().min(1, 'must not be empty'),
  links: z
    .array(
      z.object({
        label: z.string().trim().min(1, 'must not be empty'),
        url: z.string().refine(isHttpUrl, 'must be an http or https URL'),
      }),
    )
    .optional(),
  runbooks: z
    .array(
      z.object({
        kind: z.string().trim().min(1, 'must not be empty'),
        url: z
          .string()
          .refine(
            (u) => u.trim() !== '' && !/\s/.test(u) && (isHttpUrl(u) || !/^[a-z][a-z0-9+.-]*:/i.test(u)),
            'must be an http or https URL or a repository-relative path without spaces',
          ),
      }),
    )
    .optional(),
});

/** The notification, checked; a `ValidationError` naming `notification.<field>` and why otherwise. */
export function checkNotification(notification: Notification, channel: string): Notification {
  const parsed = NotificationSchema.safeParse(notification);
  if (parsed.success) return notification;
  throw issuesError(`${channel}: notification is invalid`, 'notification', parsed.error.issues);
}

/** Parses a channel's config with its schema; a `ValidationError` naming each bad field otherwise. */
export function parseChannelConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  channel: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw issuesError(`${channel} notifier config is invalid`, '', parsed.error.issues);
}

function issuesError(
  heading: string,
  prefix: string,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): ValidationError {
  const fields = issues.map((issue) =>
    [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.'),
  );
  // zod's own messages ("expected string, received undefined") never quote the value, so secrets stay out.
  const reasons = issues.map((issue, i) => `${fields[i] || '(root)'} ${issue.message}`);
  return new ValidationError(`${heading}: ${reasons.join('; ')}`, [...new Set(fields)]);
}
