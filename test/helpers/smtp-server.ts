/**
 * A real SMTP server for tests: Debian's aiosmtpd (`/usr/bin/python3 -m
 * aiosmtpd`) on 127.0.0.1 and a free port, with a small handler that writes
 * each received message, parsed by Python's `email` package, as one JSON
 * file in a temporary folder. The handler can refuse chosen recipients
 * permanently (550) or for now (451), and can advertise AUTH, which then
 * fails (aiosmtpd refuses AUTH without TLS with 538) — a login the server
 * rejects, without a certificate.
 *
 * The `python3` first on PATH may be a pyenv build without aiosmtpd, hence
 * the explicit `/usr/bin/python3`. CI installs it with `.ci/install-test-deps`;
 * `describeWithSmtpServer` skips, saying why, where it is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SYSTEM_PYTHON = '/usr/bin/python3';

/** One received message, as the handler parsed it. */
export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  mailFrom: string;
  /** Envelope recipients the server accepted (RCPT TO). */
  rcptTos: string[];
  /** The `From` header. */
  from: string;
  /** The `To` header's addresses. */
  to: string[];
  subject: string;
  /** The text/plain part, decoded, line ends as `\n` ('' when none). */
  text: string;
  /** The text/html part, decoded, line ends as `\n` ('' when none). */
  html: string;
  /** Every header, names lowercased (the last value when repeated). */
  headers: Record<string, string>;
}

export interface SmtpServerOptions {
  /** Recipients answered `550 5.1.1` at RCPT TO (permanent). */
  rejectRecipients?: string[];
  /** Recipients answered `451 4.3.0` at RCPT TO (try again later). */
  deferRecipients?: string[];
  /** Advertise `AUTH PLAIN LOGIN`; any login attempt then fails with aiosmtpd's 538 (no TLS). */
  advertiseAuth?: boolean;
  /** How long to wait for the 220 greeting. Default 15 s. */
  startTimeoutMs?: number;
  /** A fixed port (a server that comes back where clients expect it); default: a free one. */
  port?: number;
}

export interface SmtpServer {
  host: string;
  port: number;
  /** `smtp://127.0.0.1:<port>`; add credentials with `urlWith`. */
  url: string;
  /** The server's URL with `user:password@` in it. */
  urlWith(user: string, password: string): string;
  /** Messages received so far, in arrival order. */
  messages(): ReceivedMail[];
  /** Resolves once at least `count` messages arrived; rejects after `timeoutMs` saying how many did. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Stops the server (the process group) and removes its folder; idempotent. Received messages stay readable. */
  stop(): Promise<void>;
  /** Whatever aiosmtpd wrote on stdout/stderr, for failure messages. */
  output(): string;
}

/** Whether aiosmtpd can run here, and why not when it cannot. */
export function aiosmtpdSupport(): { available: boolean; reason?: string } {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import aiosmtpd'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error)
    return { available: false, reason: `${SYSTEM_PYTHON} could not run (${probe.error.message})` };
  if (probe.status !== 0) {
    return {
      available: false,
      reason: `aiosmtpd is not installed for ${SYSTEM_PYTHON} (apt-get install python3-aiosmtpd, or run .ci/install-test-deps)`,
    };
  }
  return { available: true };
}

/** `describe` when aiosmtpd is present; otherwise `describe.skip`, printing the reason once. */
export function describeWithSmtpServer(name: string, fn: () => void): void {
  const support = aiosmtpdSupport();
  if (support.available) {
    describe(name, fn);
    return;
  }
  console.warn(`SKIPPED ${name}: ${support.reason}`);
  describe.skip(`${name} [skipped: ${support.reason}]`, fn);
}

// The handler aiosmtpd loads with `-c fg_capture.CaptureHandler <folder> <reject> <defer> <auth>`.
const HANDLER = String.raw`
import json, os
from email import policy
from email.parser import BytesParser


def _split(arg):
    return set(a.strip().lower() for a in arg.split(',') if a.strip())


class CaptureHandler:
    def __init__(self, folder, reject, defer, advertise_auth):
        self.folder = folder
        self.reject = reject
        self.defer = defer
        self.advertise_auth = advertise_auth
        self.count = 0

    @classmethod
    def from_cli(cls, parser, folder, reject='', defer='', auth='0'):
        return cls(folder, _split(reject), _split(defer), auth == '1')

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.advertise_auth:
            responses.insert(len(responses) - 1, '250-AUTH PLAIN LOGIN')
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % address
        if address.lower() in self.defer:
            return '451 4.3.0 <%s>: Temporary failure, try again later' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode('utf8')
        msg = BytesParser(policy=policy.default).parsebytes(raw)

        def part(kind):
            body = msg.get_body(preferencelist=(kind,))
            # SMTP carries CRLF; tests compare with the \n the sender wrote.
            return body.get_content().replace('\r\n', '\n') if body is not None else ''

        to = msg.get('To')
        record = {
            'mailFrom': envelope.mail_from,
            'rcptTos': list(envelope.rcpt_tos),
            'from': str(msg.get('From', '')),
            'to': [a.addr_spec for a in to.addresses] if to is not None else [],
            'subject': str(msg.get('Subject', '')),
            'text': part('plain'),
            'html': part('html'),
            'headers': {k.lower(): str(v).strip() for k, v in msg.items()},
        }
        self.count += 1
        path = os.path.join(self.folder, '%06d.json' % self.count)
        with open(path + '.tmp', 'w', encoding='utf8') as f:
            json.dump(record, f)
        # Renamed into place so a reader never sees half a file.
        os.replace(path + '.tmp', path)
        return '250 Message accepted for delivery'
`;

/** Starts aiosmtpd; stop it in afterEach/afterAll. Rejects with its output when it does not come up. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fg-smtp-'));
  const inbox = join(dir, 'inbox');
  const code = join(dir, 'code');
  mkdirSync(inbox);
  mkdirSync(code);
  writeFileSync(join(code, 'fg_capture.py'), HANDLER);

  const host = '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  let output = '';
  const child = spawn(
    SYSTEM_PYTHON,
    [
      '-m',
      'aiosmtpd',
      '-n',
      '-l',
      `${host}:${port}`,
      '-c',
      'fg_capture.CaptureHandler',
      inbox,
      (options.rejectRecipients ?? []).join(','),
      (options.deferRecipients ?? []).join(','),
      options.advertiseAuth ? '1' : '0',
    ],
    {
      // Own process group, so stop() ends aiosmtpd and anything it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONPATH: code, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
    },
  );
  child.stdout?.on('data', (b: Buffer) => (output += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  // Filled when the server stops, so messages stay readable after the folder is gone.
  let kept: ReceivedMail[] | undefined;
  const readInbox = (): ReceivedMail[] =>
    kept ??
    readdirSync(inbox)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(inbox, f), 'utf8')) as ReceivedMail);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    kept = readInbox();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForGreeting(host, port, child, options.startTimeoutMs ?? 15_000);
  } catch (err) {
    await stop();
    throw new Error(`aiosmtpd did not start: ${(err as Error).message}\n${output}`);
  }

  const messages = readInbox;

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    urlWith: (user, password) =>
      `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`,
    messages,
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = messages();
        if (got.length >= count) return got;
        if (Date.now() >= deadline) {
          throw new Error(
            `smtp-server: expected ${count} messages within ${timeoutMs} ms, got ${got.length}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stop,
    output: () => output,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** A port nothing listens on right now (the OS picks it; a tiny race remains, acceptable in tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a connection on host:port reads a `220` greeting; rejects when the process exits or time runs out. */
async function waitForGreeting(
  host: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    if (await greets(host, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no 220 greeting on ${host}:${port} within ${timeoutMs} ms`);
}

function greets(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      if (data.includes('\n')) {
        socket.write('QUIT\r\n');
        done(data.startsWith('220'));
      }
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(data.startsWith('220')));
  });
}
