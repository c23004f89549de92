/**
 * The email channel's config, from `SMTP_URL`, `ALERT_EMAIL_TO` and
 * `ALERT_EMAIL_FROM`. The SMTP URL is a secret (it may hold user:password);
 * `smtpTransportOptions` turns it into nodemailer's options with the
 * timeouts always set, so a dead mail server fails a send in seconds
 * instead of holding a Cloud Function until it is killed.
 */
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { z } from 'zod';
import { isEmailAddress } from '../../../config/env-schema';

const isSmtpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return /^smtps?:$/.test(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
};

const address = z.string().refine(isEmailAddress, 'must be an email address, bare or as "Name <address>"');
const milliseconds = z.number().int().positive().max(300_000);

export const EmailNotifierConfigSchema = z.object({
  /** The notifier's name in routes, logs and errors. */
  channel: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and hyphens')
    .default('email'),
  /**
   * Secret. `smtp://host[:port]` (STARTTLS when offered), `smtp://user:pass@host[:port]` (STARTTLS
   * required: credentials never cross in clear) or `smtps://` (TLS from the start).
   */
  smtpUrl: z.string().refine(isSmtpUrl, 'must be an smtp:// or smtps:// URL with a host'),
  to: z.array(address).min(1, 'must hold at least one address'),
  from: address,
  /** Time to open the TCP (or TLS) connection. */
  connectionTimeoutMs: milliseconds.default(10_000),
  /** Time from connecting to the server's 220 greeting. */
  greetingTimeoutMs: milliseconds.default(10_000),
  /** Longest silence on an open connection. */
  socketTimeoutMs: milliseconds.default(30_000),
});

/** What `createEmailNotifier` accepts: `channel` and the timeouts may be left out. */
export type EmailNotifierConfig = z.input<typeof EmailNotifierConfigSchema>;
export type ParsedEmailNotifierConfig = z.output<typeof EmailNotifierConfigSchema>;

/** nodemailer's SMTP options for a parsed config; user and password are URL-decoded. */
export function smtpTransportOptions(config: ParsedEmailNotifierConfig): SMTPTransport.Options {
  const url = new URL(config.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const auth = url.username
    ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
    : undefined;
  return {
    // IPv6 hosts come bracketed in URLs; sockets want them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // With credentials on smtp://, STARTTLS or nothing: a server (or a man in the middle) that does not
    // offer it gets no login and no message, instead of the password in clear.
    requireTLS: !secure && auth !== undefined,
    auth,
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.greetingTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
    // The message is built here from text; it must never make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The values that must never appear in an error or a log line: the URL, and the password raw and decoded. */
export function smtpSecrets(smtpUrl: string): string[] {
  const out = [smtpUrl];
  try {
    const url = new URL(smtpUrl);
    if (url.password) out.push(url.password, decodeURIComponent(url.password));
  } catch {
    // An unparseable URL was refused by the schema already; the raw string is still scrubbed.
  }
  return [...new Set(out)];
}
