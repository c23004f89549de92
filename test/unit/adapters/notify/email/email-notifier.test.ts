/**
 * The email notifier against a real SMTP server (aiosmtpd, started per test
 * by test/helpers/smtp-server): the shared notifier contract, then what is
 * particular to email (subject, bodies, duplicate-spotting headers,
 * partial rejection, config errors). Skips, saying why, without aiosmtpd.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createEmailNotifier } from '../../../../../shared/adapters/notify/email/email-notifier';
import {
  CORRELATION_HEADER,
  messageIdFor,
  NOTIFICATION_HEADER,
} from '../../../../../shared/adapters/notify/email/email-render';
import type { NotifyDeliveryError } from '../../../../../shared/adapters/notify/notify-error';
import { ValidationError } from '../../../../../shared/errors';
import { createCapturingLogger, type CapturedLogs } from '../../../../../shared/logging/capture';
import type { Notifier } from '../../../../../shared/ports/notifier';
import { reportFigure } from '../../../../helpers/figures';
import {
  buildNotification,
  describeNotifierContract,
  type FailureScenario,
  type NotifierHarness,
} from '../../../../helpers/notifier-contract';
import { describeWithSmtpServer, startSmtpServer, type SmtpServer } from '../../../../helpers/smtp-server';

const USER = 'fg-alerts';
// The server has no certificate, so the harness's notifier sends without credentials (credentials on
// smtp:// require STARTTLS); the scenarios and the test at the end use them.
const PASSWORD = 'S3cr3t/smtp:P@ss';
const FROM = 'forecast-guard <alerts@forecast-guard.example.com>';
const TO = 'oncall@example.com';
const REJECTED = 'nobody@example.com';
const DEFERRED = 'busy@example.com';

interface EmailHarness extends NotifierHarness {
  server: SmtpServer;
  logs: CapturedLogs;
  /** A notifier on this harness's logger, aimed at `smtpUrl` (default: the server, with credentials). */
  notifierFor(options: { to?: string[]; smtpUrl?: string; greetingTimeoutMs?: number }): Notifier;
  /** Run at close: extra servers a scenario started. */
  cleanups: Array<() => Promise<void>>;
}

async function makeEmailHarness(): Promise<EmailHarness> {
  const server = await startSmtpServer({ rejectRecipients: [REJECTED], deferRecipients: [DEFERRED] });
  const logs = createCapturingLogger();
  const cleanups: Array<() => Promise<void>> = [];
  const notifierFor: EmailHarness['notifierFor'] = (options) =>
    createEmailNotifier(
      {
        smtpUrl: options.smtpUrl ?? server.url,
        to: options.to ?? [TO],
        from: FROM,
        ...(options.greetingTimeoutMs ? { greetingTimeoutMs: options.greetingTimeoutMs } : {}),
      },
      { logger: logs.logger },
    );
  return {
    server,
    logs,
    cleanups,
    notifierFor,
    channel: 'email',
    notifier: notifierFor({}),
    delivered: async () =>
      server.messages().map((m) => ({ readable: `${m.subject}\n${m.text}`, markup: [m.html] })),
    secrets: [PASSWORD, encodeURIComponent(PASSWORD)],
    logLines: () => logs.lines,
    close: async () => {
      await Promise.all([server.stop(), ...cleanups.map((c) => c())]);
    },
  };
}

/** A TCP server that accepts and never says a word: an SMTP server that hangs before its greeting. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TCP relay in front of `target` that keeps every byte the client sent: what an eavesdropper on the
 * path to the mail server would read.
 */
async function startRecordingRelay(target: { host: string; port: number }): Promise<{
  port: number;
  sent(): string;
  close(): Promise<void>;
}> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.on('data', (b: Buffer) => {
      chunks.push(b);
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => client.write(b));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    sent: () => Buffer.concat(chunks).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const emailFailures: Array<FailureScenario<EmailHarness>> = [
  {
    name: 'SMTP server stopped (connection refused)',
    retryable: true,
    arrange: (h) => h.server.stop(),
  },
  {
    name: 'recipient refused with 550',
    retryable: false,
    arrange: (h) => h.notifierFor({ to: [REJECTED] }),
  },
  {
    name: 'recipient deferred with 451',
    retryable: true,
    arrange: (h) => h.notifierFor({ to: [DEFERRED] }),
  },
  {
    // Credentials on smtp:// require STARTTLS; aiosmtpd has no certificate and answers 454 (a 4xx: retry).
    name: 'credentials, but the server cannot start TLS (454)',
    retryable: true,
    arrange: async (h) => {
      const authServer = await startSmtpServer({ advertiseAuth: true });
      h.cleanups.push(() => authServer.stop());
      return h.notifierFor({ smtpUrl: authServer.urlWith(USER, PASSWORD) });
    },
  },
  {
    name: 'no greeting within greetingTimeoutMs',
    retryable: true,
    arrange: async (h) => {
      const silent = await startSilentServer();
      h.cleanups.push(() => silent.close());
      return h.notifierFor({
        smtpUrl: `smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${silent.port}`,
        greetingTimeoutMs: 300,
      });
    },
  },
];

describeWithSmtpServer('email notifier over SMTP (aiosmtpd)', () => {
  describeNotifierContract('email', makeEmailHarness, emailFailures);

  describe('email specifics', () => {
    let h: EmailHarness;
    beforeEach(async () => {
      h = await makeEmailHarness();
    });
    afterEach(() => h.close());

    test('subject, sender, recipients, text and HTML bodies, and the duplicate-spotting headers', async () => {
      const n = buildNotification({ lines: ['RMSE 96.4', '', 'MAPE 31%'] });
      await h.notifier.send(n);
      const [mail] = h.server.messages();
      expect(mail).toBeDefined();
      expect(mail!.subject).toBe(`[CRITICAL] ${n.title}`);
      expect(mail!.from).toBe(FROM);
      expect(mail!.mailFrom).toBe('alerts@forecast-guard.example.com');
      expect(mail!.rcptTos).toEqual([TO]);
      expect(mail!.text.trimEnd()).toBe(
        [
          `[CRITICAL] ${n.title}`,
          '',
          'RMSE 96.4',
          '',
          'MAPE 31%',
          '',
          `Runbook: ${n.links![0]!.url}`,
          '',
          `correlationId ${n.correlationId} · notification ${n.id} (firing)`,
        ].join('\n'),
      );
      expect(mail!.html).toContain(`<a href="${n.links![0]!.url}">Runbook</a>`);
      expect(mail!.html).toContain('<div>RMSE 96.4</div>');
      expect(mail!.headers[NOTIFICATION_HEADER.toLowerCase()]).toBe(n.id);
      expect(mail!.headers[CORRELATION_HEADER.toLowerCase()]).toBe(n.correlationId);
      expect(mail!.headers['message-id']).toBe(messageIdFor(n.id, FROM));
    });

    test('ten sends in a row all arrive, in order (figures: server start, send latency)', async () => {
      const started = Date.now();
      const probe = await startSmtpServer();
      const startMs = Date.now() - started;
      await probe.stop();
      const sent = Array.from({ length: 10 }, () => buildNotification());
      const t0 = Date.now();
      for (const n of sent) await h.notifier.send(n);
      const perSend = (Date.now() - t0) / sent.length;
      expect(h.server.messages().map((m) => m.headers[NOTIFICATION_HEADER.toLowerCase()])).toEqual(
        sent.map((n) => n.id),
      );
      reportFigure('email-notifier', 'aiosmtpd start', `${startMs} ms`);
      reportFigure('email-notifier', 'send over SMTP (new connection each)', `${perSend.toFixed(1)} ms`);
    });

    test('the same notification sent twice carries the same Message-ID; another one does not', async () => {
      const n = buildNotification();
      await h.notifier.send(n);
      await h.notifier.send(n);
      await h.notifier.send(buildNotification());
      const ids = h.server.messages().map((m) => m.headers['message-id']);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).not.toBe(ids[0]);
    });

    test('tags the subject by severity and kind', async () => {
      await h.notifier.send(buildNotification({ severity: 'warning', title: 'MAPE up' }));
      await h.notifier.send(buildNotification({ kind: 'resolved', title: 'MAPE back' }));
      await h.notifier.send(buildNotification({ kind: 'escalation', title: 'nobody acked' }));
      expect(h.server.messages().map((m) => m.subject)).toEqual([
        '[WARNING] MAPE up',
        '[RESOLVED] MAPE back',
        '[CRITICAL][ESCALATED] nobody acked',
      ]);
    });

    test('a line break in the title cannot inject a header', async () => {
      await h.notifier.send(buildNotification({ title: 'spike\r\nBcc: attacker@example.com' }));
      const [mail] = h.server.messages();
      expect(mail!.subject).toBe('[CRITICAL] spike Bcc: attacker@example.com');
      expect(mail!.headers.bcc).toBeUndefined();
      expect(mail!.rcptTos).toEqual([TO]);
    });

    test('some recipients refused: delivered to the rest, reported in a warning, not thrown', async () => {
      const notifier = h.notifierFor({ to: [TO, REJECTED] });
      await notifier.send(buildNotification());
      expect(h.server.messages().map((m) => m.rcptTos)).toEqual([[TO]]);
      const warning = h.logs
        .entries()
        .find((e) => e.message === 'email notification refused for some recipients');
      expect(warning).toMatchObject({ severity: 'WARNING', rejected: [REJECTED], accepted: 1 });
    });

    test('a 550 names the reply and the command; a stopped server says it could not connect', async () => {
      const refused = (await h
        .notifierFor({ to: [REJECTED] })
        .send(buildNotification())
        .catch((e: unknown) => e)) as NotifyDeliveryError;
      expect(refused.message).toBe(
        `email: SMTP server answered "550 5.1.1 <${REJECTED}>: Recipient address rejected: User unknown" to RCPT; not retrying`,
      );
      expect(refused.status).toBe(550);

      await h.server.stop();
      const down = (await h.notifier
        .send(buildNotification())
        .catch((e: unknown) => e)) as NotifyDeliveryError;
      expect(down.message).toMatch(
        /^email: could not deliver to the SMTP server \(ESOCKET\/ECONNREFUSED: .*\); retry$/,
      );
    });
  });
});

describeWithSmtpServer('email credentials never cross in clear (aiosmtpd without STARTTLS)', () => {
  test('credentials on smtp:// to a server offering AUTH but no STARTTLS: refused, no login, nothing sent', async () => {
    const server = await startSmtpServer({ advertiseAuth: true });
    const relay = await startRecordingRelay(server);
    try {
      const notifier = createEmailNotifier(
        {
          smtpUrl: `smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${relay.port}`,
          to: [TO],
          from: FROM,
        },
        { logger: createCapturingLogger().logger },
      );
      const err = (await notifier.send(buildNotification()).catch((e: unknown) => e)) as NotifyDeliveryError;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toContain('STARTTLS');
      const wire = relay.sent();
      const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
      // The client said EHLO, asked for STARTTLS, and stopped there.
      expect(wire).toMatch(/^EHLO /);
      expect(wire).toContain('STARTTLS');
      expect(wire).not.toMatch(/AUTH|MAIL FROM|RCPT TO|DATA/);
      for (const secret of [
        PASSWORD,
        encodeURIComponent(PASSWORD),
        plain,
        Buffer.from(PASSWORD).toString('base64'),
      ])
        expect(wire).not.toContain(secret);
      expect(server.messages()).toEqual([]);
    } finally {
      await relay.close();
      await server.stop();
    }
  });
});

describe('email notifier config', () => {
  const logger = createCapturingLogger().logger;
  const configError = (config: unknown): ValidationError => {
    try {
      createEmailNotifier(config as never, { logger });
    } catch (err) {
      if (err instanceof ValidationError) return err;
      throw err;
    }
    throw new Error('expected a ValidationError');
  };

  test('names each bad field, and never echoes the SMTP URL', () => {
    const err = configError({
      smtpUrl: 'http://user:hunter2-password@mail.example.com',
      to: [],
      from: 'not an address',
      connectionTimeoutMs: -1,
    });
    expect(err.fields).toEqual(['smtpUrl', 'to', 'from', 'connectionTimeoutMs']);
    expect(err.message).toMatch(
      /^email notifier config is invalid: smtpUrl must be an smtp:\/\/ or smtps:\/\/ URL with a host; to must hold at least one address; from must be an email address/,
    );
    expect(err.message).not.toContain('hunter2');
  });

  test('a bad recipient is named by position', () => {
    const err = configError({ smtpUrl: 'smtp://mail.example.com', to: [TO, 'oops'], from: FROM });
    expect(err.fields).toEqual(['to.1']);
  });
});
