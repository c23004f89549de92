/**
 * nodemailer's errors as `NotifyDeliveryError`s. An SMTP reply decides when
 * there is one: 4xx is transient (greylisting, a full queue, 421 closing),
 * 5xx is permanent (550 no such mailbox, 535 bad login, 554 refused) except
 * 503, which only says the session was out of step and works on a new
 * connection — nodemailer's own `permanent` flag says the same. Without a
 * reply, a connection that failed (refused, reset, timed out, DNS) is
 * retryable; a configuration problem (no credentials, no recipients) is not.
 * Messages and causes are scrubbed of the SMTP URL and password.
 */
import { NotifyDeliveryError, scrubSecrets, scrubbedCause, shortReply } from '../notify-error';

export interface SmtpFailureContext {
  channel: string;
  /** SMTP URL and password (raw and decoded). */
  secrets: readonly string[];
}

interface NodemailerErrorFields {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  permanent?: unknown;
}

// Without a reply, these codes mean the setup is wrong; sending again changes nothing.
const CONFIGURATION_CODES = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ECONFIG',
  'EENVELOPE',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/** True when an SMTP reply code means the same message could be accepted later. */
export function isTransientReply(responseCode: number): boolean {
  return responseCode < 500 || responseCode === 503;
}

/** The error to throw for whatever `sendMail` rejected with. */
export function translateSmtpError(err: unknown, ctx: SmtpFailureContext): NotifyDeliveryError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerErrorFields;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const cause = scrubbedCause(err, ctx.secrets);
  if (typeof e.responseCode === 'number') {
    const retryable = typeof e.permanent === 'boolean' ? !e.permanent : isTransientReply(e.responseCode);
    const reply =
      typeof e.response === 'string'
        ? shortReply(scrubSecrets(e.response, ctx.secrets))
        : String(e.responseCode);
    const command = typeof e.command === 'string' ? ` to ${e.command.split(' ')[0]}` : '';
    return new NotifyDeliveryError(
      `${ctx.channel}: SMTP server answered "${reply}"${command}; ${retryable ? 'retry' : 'not retrying'}`,
      ctx.channel,
      { retryable, status: e.responseCode, cause },
    );
  }
  const retryable = code === undefined || !CONFIGURATION_CODES.has(code);
  const why = [code, typeof e.originalCode === 'string' ? e.originalCode : undefined]
    .filter(Boolean)
    .join('/');
  const what = retryable ? 'could not deliver to the SMTP server' : 'SMTP setup refused';
  const detail = shortReply(cause.message, 120);
  return new NotifyDeliveryError(
    `${ctx.channel}: ${what} (${[why, detail].filter(Boolean).join(': ')}); ${retryable ? 'retry' : 'not retrying'}`,
    ctx.channel,
    { retryable, cause },
  );
}
