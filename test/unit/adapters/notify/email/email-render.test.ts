/** The email, built without a server: subject, HTML escaping, ids and SMTP options. */
import {
  escapeHtml,
  messageIdFor,
  renderEmail,
} from '../../../../../shared/adapters/notify/email/email-render';
import {
  EmailNotifierConfigSchema,
  smtpSecrets,
  smtpTransportOptions,
} from '../../../../../shared/adapters/notify/email/email-config';
import { translateSmtpError } from '../../../../../shared/adapters/notify/email/email-errors';
import { buildNotification, HOSTILE } from '../../../../helpers/notifier-contract';

describe('email render', () => {
  test('escapes HTML in text and attributes; hostile text never becomes a tag', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;',
    );
    const mail = renderEmail(
      buildNotification({ title: HOSTILE.mention, lines: ['<script>alert(1)</script>'] }),
      'a@b.example',
    );
    expect(mail.subject).toBe('[CRITICAL] <!channel>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert(1)</script>');
  });

  test('Message-ID is stable per notification id, hashed, on the sender’s domain', () => {
    const a = messageIdFor('ntf-1', 'forecast-guard <alerts@fg.example.com>');
    expect(a).toMatch(/^<fg\.[0-9a-f]{32}@fg\.example\.com>$/);
    expect(messageIdFor('ntf-1', 'alerts@fg.example.com')).toBe(a);
    expect(messageIdFor('ntf-2', 'alerts@fg.example.com')).not.toBe(a);
    expect(messageIdFor('id\r\nBcc: x', 'weird')).toMatch(/^<fg\.[0-9a-f]{32}@forecast-guard\.invalid>$/);
  });

  test('headers hold the ids on one line', () => {
    const mail = renderEmail(buildNotification({ id: 'a\r\nb', correlationId: 'c\nd' }), 'x@y.example');
    expect(mail.headers).toEqual({
      'X-Forecast-Guard-Notification': 'a b',
      'X-Forecast-Guard-Correlation-Id': 'c d',
    });
  });
});

describe('smtp options', () => {
  const parse = (smtpUrl: string) =>
    EmailNotifierConfigSchema.parse({ smtpUrl, to: ['a@b.example'], from: 'c@d.example' });

  test('smtp:// is 587 with STARTTLS when offered, smtps:// is 465 with TLS; credentials decoded', () => {
    expect(smtpTransportOptions(parse('smtp://mail.example.com'))).toMatchObject({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      auth: undefined,
    });
    expect(smtpTransportOptions(parse('smtps://u%40x:p%2Fw@[::1]:2465'))).toMatchObject({
      host: '::1',
      port: 2465,
      secure: true,
      auth: { user: 'u@x', pass: 'p/w' },
    });
  });

  test('credentials on smtp:// require STARTTLS, so they never cross in clear (issue 11)', () => {
    expect(smtpTransportOptions(parse('smtp://u:p@mail.example.com'))).toMatchObject({
      secure: false,
      requireTLS: true,
      auth: { user: 'u', pass: 'p' },
    });
    // A user alone is a credential too; without any, STARTTLS stays opportunistic; smtps:// is TLS throughout.
    expect(smtpTransportOptions(parse('smtp://u@mail.example.com')).requireTLS).toBe(true);
    expect(smtpTransportOptions(parse('smtp://mail.example.com')).requireTLS).toBe(false);
    expect(smtpTransportOptions(parse('smtps://u:p@mail.example.com'))).toMatchObject({ secure: true });
  });

  test('timeouts are always set: connection 10 s, greeting 10 s, socket 30 s by default', () => {
    expect(smtpTransportOptions(parse('smtp://m.example'))).toMatchObject({
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  });

  test('the secrets to scrub are the URL and the password, raw and decoded', () => {
    expect(smtpSecrets('smtp://u:p%2Fw0rd@m.example')).toEqual([
      'smtp://u:p%2Fw0rd@m.example',
      'p%2Fw0rd',
      'p/w0rd',
    ]);
    expect(smtpSecrets('smtp://m.example')).toEqual(['smtp://m.example']);
  });
});

describe('smtp errors', () => {
  const ctx = { channel: 'email', secrets: ['pa55word'] };
  const error = (fields: Record<string, unknown>, message = 'boom') =>
    Object.assign(new Error(message), fields);

  test.each([
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 no such user', permanent: true }, false],
    [{ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }, false],
    [{ code: 'EENVELOPE', responseCode: 452, response: '452 mailbox full' }, true],
    [{ code: 'EPROTOCOL', responseCode: 421, response: '421 closing' }, true],
    [{ code: 'EMESSAGE', responseCode: 503, response: '503 bad sequence' }, true],
    [{ code: 'ETIMEDOUT' }, true],
    [{ code: 'ESOCKET', originalCode: 'ECONNRESET' }, true],
    [{ code: 'EDNS' }, true],
    [{ code: 'EAUTH' }, false],
    [{ code: 'ENOAUTH' }, false],
    [{}, true],
  ])('%j → retryable %s', (fields, retryable) => {
    expect(translateSmtpError(error(fields), ctx).retryable).toBe(retryable);
  });

  test('a password that leaks into a reply or message is scrubbed from message and cause', () => {
    const err = translateSmtpError(
      error(
        { code: 'EAUTH', responseCode: 535, response: '535 pa55word is wrong' },
        'Invalid login pa55word',
      ),
      ctx,
    );
    expect(err.message).toBe('email: SMTP server answered "535 *** is wrong"; not retrying');
    expect(JSON.stringify({ m: err.message, c: (err.cause as Error).message })).not.toContain('pa55word');
  });
});
