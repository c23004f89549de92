import { BackendUnavailableError, ValidationError } from '../../../shared/errors';
import { createCapturingLogger, createLogger, teeWriters, type LogLevel } from '../../../shared/logging';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');

function setup(options: Parameters<typeof createCapturingLogger>[0] = {}) {
  let now = T0;
  const clock = { now: () => new Date(now) };
  const captured = createCapturingLogger({
    component: 'health-check',
    environment: 'production',
    projectId: 'acme-forecasts',
    clock,
    ...options,
  });
  return { ...captured, advance: (ms: number) => (now += ms) };
}

describe('createLogger', () => {
  it('writes one Cloud Logging JSON object per line', () => {
    const { logger, lines } = setup();
    logger.info('health check started', { isbns: 3, correlationId: 'corr-1', traceId: 'abc123' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0]!)).toEqual({
      severity: 'INFO',
      message: 'health check started',
      time: '2024-05-01T10:00:00.000Z',
      isbns: 3,
      correlationId: 'corr-1',
      'logging.googleapis.com/labels': {
        component: 'health-check',
        environment: 'production',
        correlationId: 'corr-1',
      },
      'logging.googleapis.com/trace': 'projects/acme-forecasts/traces/abc123',
    });
  });

  it('maps each method to its Cloud Logging severity', () => {
    const { logger, entries } = setup();
    logger.debug('d');
    logger.info('i');
    logger.notice('n');
    logger.warning('w');
    logger.error('e');
    logger.critical('c');
    expect(entries().map((e) => e.severity)).toEqual([
      'DEBUG',
      'INFO',
      'NOTICE',
      'WARNING',
      'ERROR',
      'CRITICAL',
    ]);
  });

  it.each<[LogLevel, string[]]>([
    ['debug', ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL']],
    ['info', ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL']],
    ['warning', ['WARNING', 'ERROR', 'CRITICAL']],
    ['error', ['ERROR', 'CRITICAL']],
  ])('level %s writes only %j', (level, expected) => {
    const { logger, entries } = setup({ level });
    for (const m of ['debug', 'info', 'notice', 'warning', 'error', 'critical'] as const) logger[m](m);
    expect(entries().map((e) => e.severity)).toEqual(expected);
    expect(logger.isEnabled('DEBUG')).toBe(level === 'debug');
  });

  it('defaults to level info and the labels it was given', () => {
    const lines: string[] = [];
    const logger = createLogger({
      component: 'cli',
      write: (l) => lines.push(l),
      labels: { region: 'europe-west2' },
    });
    logger.debug('hidden');
    logger.info('shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)['logging.googleapis.com/labels']).toEqual({
      component: 'cli',
      region: 'europe-west2',
    });
  });

  it('child loggers merge fields and labels, and a call overrides a bound field', () => {
    const { logger, entries } = setup();
    const perBook = logger
      .child({ correlationId: 'corr-9', labels: { function: 'health-check' } })
      .child({ isbn: '9780722532935', modelVersion: '21' });
    perBook.warning('rmse spike', { modelVersion: '22', labels: { kind: 'rmse_spike' } });
    logger.info('parent unchanged');
    const [child, parent] = entries();
    expect(child).toMatchObject({
      severity: 'WARNING',
      isbn: '9780722532935',
      modelVersion: '22',
      correlationId: 'corr-9',
      'logging.googleapis.com/labels': {
        component: 'health-check',
        environment: 'production',
        function: 'health-check',
        kind: 'rmse_spike',
        correlationId: 'corr-9',
      },
    });
    expect(parent).not.toHaveProperty('isbn');
    expect(parent).not.toHaveProperty('correlationId');
    expect(parent!['logging.googleapis.com/labels']).toEqual({
      component: 'health-check',
      environment: 'production',
    });
  });

  it('keeps traceId as a plain field when no project is known, and writes span and sampling', () => {
    const { logger, entries } = setup({ projectId: undefined });
    logger.info('x', {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceSampled: true,
    });
    const [e] = entries();
    expect(e).not.toHaveProperty(['logging.googleapis.com/trace']);
    expect(e).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  it('never lets a field overwrite severity, message or time', () => {
    const { logger, entries } = setup();
    logger.info('real', { severity: 'DEBUG', message: 'fake', time: 'yesterday' });
    expect(entries()[0]).toMatchObject({
      severity: 'INFO',
      message: 'real',
      time: '2024-05-01T10:00:00.000Z',
    });
  });

  it('serialises errors with name, message, stack, own properties and the cause chain', () => {
    const { logger, entries } = setup();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8085'), { code: 'ECONNREFUSED' });
    const err = new BackendUnavailableError('Pub/Sub publish failed', 'pubsub', { cause: root });
    logger.error('publish failed', { error: err, topic: 'alerts' });
    const [e] = entries();
    expect(e).toMatchObject({
      severity: 'ERROR',
      topic: 'alerts',
      error: {
        name: 'BackendUnavailableError',
        message: 'Pub/Sub publish failed',
        retryable: true,
        backend: 'pubsub',
        cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:8085', code: 'ECONNREFUSED' },
      },
    });
    expect((e!.error as { stack: string }).stack).toContain(
      'BackendUnavailableError: Pub/Sub publish failed',
    );
    // Error Reporting reads stack_trace on ERROR entries.
    expect(e!.stack_trace).toBe(err.stack);
  });

  it('serialises an error under any key, a non-Error cause, and a ValidationError field list', () => {
    const { logger, entries } = setup();
    logger.warning('bad message acked', {
      reason: new ValidationError('isbn must be a valid ISBN-13', ['message.data.isbn'], {
        cause: 'raw text',
      }),
    });
    const [e] = entries();
    expect(e!.reason).toMatchObject({
      name: 'ValidationError',
      fields: ['message.data.isbn'],
      retryable: false,
      cause: 'raw text',
    });
    expect(e).not.toHaveProperty('stack_trace'); // only ERROR and above
  });

  it('survives cycles, bigints, dates and non-finite numbers', () => {
    const { logger, entries } = setup();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    logger.info('odd values', { loop, big: 10n ** 20n, at: new Date(T0), ratio: Number.NaN });
    expect(entries()[0]).toMatchObject({
      loop: { name: 'loop', self: '[Circular]' },
      big: '100000000000000000000',
      at: '2024-05-01T10:00:00.000Z',
      ratio: 'NaN',
    });
  });

  it('never throws when the writer fails: the line is dropped, the caller carries on', () => {
    const attempts: string[] = [];
    const logger = createLogger({
      component: 'x',
      write: (line) => {
        attempts.push(line);
        throw new Error('EPIPE');
      },
    });
    logger.error('first');
    logger.error('second');
    expect(attempts.map((l) => JSON.parse(l).message)).toEqual(['first', 'second']);
  });

  it('tees lines to several writers, even when one of them fails', () => {
    const a: string[] = [];
    const b: string[] = [];
    const logger = createLogger({
      component: 'x',
      write: teeWriters(
        (l) => a.push(l),
        () => {
          throw new Error('disk full');
        },
        (l) => b.push(l),
      ),
    });
    logger.info('both');
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
  });
});

describe('redaction', () => {
  const SLACK = 'https://hooks.slack.com/services/T0001/B0001/sl4cks3cr3t';
  const TOKEN = 'rollback-t0ken-value-123';

  it('redacts secret-named fields at any depth, whatever their value', () => {
    const { logger, lines, entries } = setup();
    logger.info('request', {
      headers: { Authorization: 'Bearer abc.def.ghi', 'x-request-id': 'r1' },
      slackWebhookUrl: SLACK,
      config: { smtp: { password: 'hunter22' }, apiKey: 'k-123456', rollbackToken: TOKEN },
    });
    const text = lines.join('\n');
    for (const secret of ['abc.def.ghi', 'sl4cks3cr3t', 'hunter22', 'k-123456', TOKEN])
      expect(text).not.toContain(secret);
    expect(entries()[0]).toMatchObject({
      headers: { Authorization: '***', 'x-request-id': 'r1' },
      slackWebhookUrl: '***',
      config: { smtp: { password: '***' }, apiKey: '***', rollbackToken: '***' },
    });
  });

  it('scrubs secret-shaped strings from messages, plain fields, labels and error stacks', () => {
    const { logger, lines, entries } = setup({ labels: { upstream: 'smtp://alerts:l4belpw@mail' } });
    const err = new Error(`POST ${SLACK} failed`);
    logger.error(`could not post to ${SLACK}`, {
      target: 'smtps://alerts:p4ssw0rd@smtp.example.com:465',
      curl: 'curl -H "Authorization: Bearer eyJhbGciOi.payload.sig" https://x',
      error: err,
    });
    const text = lines[0]!;
    for (const secret of ['sl4cks3cr3t', 'p4ssw0rd', 'eyJhbGciOi', 'l4belpw'])
      expect(text).not.toContain(secret);
    const [e] = entries();
    expect(e!.message).toBe('could not post to https://hooks.slack.com/***');
    expect(e!.target).toBe('smtps://alerts:***@smtp.example.com:465');
    expect(e!.curl).toBe('curl -H "Authorization: Bearer ***" https://x');
  });

  it('scrubs the exact secret values it was given, wherever they appear', () => {
    const { logger, lines } = setup({ secrets: [TOKEN, 'abc'] });
    const child = logger.child({ note: `token is ${TOKEN}` });
    child.info(`checking ${TOKEN}`, { nested: [{ text: `x${TOKEN}y` }] });
    expect(lines[0]).not.toContain(TOKEN);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: 'checking ***',
      note: 'token is ***',
      nested: [{ text: 'x***y' }],
    });
    // Too short to scrub by value without mangling ordinary text.
    child.info('abcdef');
    expect(JSON.parse(lines[1]!).message).toBe('abcdef');
  });
});

describe('startTimer', () => {
  it('logs the step with its duration from the injected clock', () => {
    const { logger, entries, advance } = setup();
    const timer = logger
      .child({ correlationId: 'corr-2' })
      .startTimer('fetch actuals', { isbn: '9780722532935' });
    advance(1234);
    expect(timer.end({ rows: 32 })).toBe(1234);
    expect(entries()[0]).toMatchObject({
      severity: 'INFO',
      message: 'fetch actuals done',
      step: 'fetch actuals',
      durationMs: 1234,
      isbn: '9780722532935',
      rows: 32,
      correlationId: 'corr-2',
      time: '2024-05-01T10:00:01.234Z',
    });
  });

  it('logs a failure at ERROR with the error, and only the first end or fail counts', () => {
    const { logger, entries, advance } = setup();
    const timer = logger.startTimer('predict');
    advance(50);
    expect(timer.fail(new Error('deadline exceeded'))).toBe(50);
    advance(50);
    expect(timer.end()).toBe(50);
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({
      severity: 'ERROR',
      message: 'predict failed',
      durationMs: 50,
      error: { name: 'Error', message: 'deadline exceeded' },
    });
  });

  it('never reports a negative duration when the clock steps back', () => {
    const { logger, advance } = setup();
    const timer = logger.startTimer('step');
    advance(-500);
    expect(timer.end()).toBe(0);
  });
});
