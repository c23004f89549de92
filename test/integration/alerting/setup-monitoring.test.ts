/**
 * scripts/setup_monitoring.sh: the gcloud commands it prints with --dry-run
 * (and that it runs, against a stand-in gcloud that records its arguments),
 * bad flags named, and on this machine the stack check and a real test alert
 * through a Slack stand-in.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEDULES } from '../../../shared/topology';
import { startRecorder } from '../../helpers/http-recorder';
import { SLACK_PATH, slackPages } from './harness';

const SCRIPT = join(__dirname, '../../../scripts/setup_monitoring.sh');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      SCRIPT,
      args,
      { env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('scripts/setup_monitoring.sh', () => {
  let dir: string;
  let calls: string;
  let path: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fg-setup-'));
    calls = join(dir, 'gcloud-calls.txt');
    writeFileSync(calls, '');
    // A gcloud that records each call; `describe` finds everything but the hourly job.
    writeFileSync(
      join(dir, 'gcloud'),
      `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\nif [ "$3" = describe ] && [ "$4" = hourly-health-check ]; then exit 1; fi\nexit 0\n`,
    );
    chmodSync(join(dir, 'gcloud'), 0o755);
    path = `${dir}:${process.env.PATH}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the scheduler, log retention and test-alert commands with --dry-run, running none', async () => {
    writeFileSync(calls, '');
    const res = await runScript(
      ['--gcp', '--project', 'demo-proj', '--region', 'us-central1', '--retention-days', '90', '--dry-run'],
      { PATH: path },
    );
    expect(res.code).toBe(0);
    for (const s of SCHEDULES) {
      expect(res.stdout).toContain(
        `gcloud scheduler jobs create pubsub ${s.name} --project demo-proj --location us-central1 --schedule '${s.cron}' --time-zone ${s.timeZone} --topic ${s.topic} --message-body '${JSON.stringify(s.body)}'`,
      );
      expect(res.stdout).toContain(`gcloud scheduler jobs update pubsub ${s.name} --project demo-proj`);
    }
    expect(res.stdout).toContain(
      '&& gcloud logging buckets update forecast-guard --project demo-proj --location global --retention-days 90',
    );
    expect(res.stdout).toContain(
      "|| gcloud logging buckets create forecast-guard --project demo-proj --location global --retention-days 90 --description 'forecast-guard function logs'",
    );
    expect(res.stdout).toContain(
      '+ FG_BACKEND=gcp GOOGLE_CLOUD_PROJECT=demo-proj FG_REGION=us-central1 forecast-guard alerts test',
    );
    expect(readFileSync(calls, 'utf8')).toBe('');
  });

  it('creates missing scheduler jobs, updates existing ones and sets log retention', async () => {
    writeFileSync(calls, '');
    const res = await runScript(['--gcp', '--project', 'demo-proj', '--skip-test'], { PATH: path });
    expect(res.code).toBe(0);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'scheduler jobs describe hourly-health-check --project demo-proj --location europe-west2',
      'scheduler jobs create pubsub hourly-health-check --project demo-proj --location europe-west2 --schedule 0 * * * * --time-zone Etc/UTC --topic health-check-requests --message-body {"trigger":"schedule"}',
      'scheduler jobs describe daily-summary --project demo-proj --location europe-west2',
      'scheduler jobs update pubsub daily-summary --project demo-proj --location europe-west2 --schedule 0 8 * * * --time-zone Europe/London --topic daily-summary-requests --message-body {"trigger":"schedule"}',
      'logging buckets describe forecast-guard --project demo-proj --location global',
      'logging buckets update forecast-guard --project demo-proj --location global --retention-days 30',
    ]);
    expect(res.stdout).toContain('log bucket forecast-guard keeps logs 30 days (updated)');
    expect(res.stdout).toContain(
      "created scheduler job hourly-health-check: '0 * * * *' (Etc/UTC) → health-check-requests",
    );
    expect(res.stdout).toContain('updated scheduler job daily-summary');
    expect(res.stdout).toContain('test alert: skipped (--skip-test)');
  });

  it.each([
    [['--gcp'], '--project (or GOOGLE_CLOUD_PROJECT) is required'],
    [
      ['--retention-days', 'forever'],
      '--retention-days must be a whole number from 1 to 3650 (got "forever")',
    ],
    [['--region', 'Mars'], '--region must be a Google Cloud region'],
    [['--bogus'], 'unknown argument "--bogus"'],
  ])('refuses %j, naming the problem (exit 2)', async (args, message) => {
    const res = await runScript(args, { PATH: path });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('checks the embedded stack and sends a test alert through Slack on this machine', async () => {
    const slack = await startRecorder();
    const stateDir = join(dir, 'state');
    try {
      const res = await runScript([], {
        PATH: path,
        FG_STATE_DIR: stateDir,
        SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
        USER: 'carol',
      });
      expect(res.stderr).not.toContain('setup_monitoring:');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('alert channels: slack, log');
      expect(res.stdout).toContain('queue and topology: ok, 0 dead letters waiting');
      expect(res.stdout).toMatch(/slack\s+delivered\s+1/);
      expect(res.stdout).toContain('the test alert reached every channel');
      expect(slackPages(slack).map((p) => p.text)).toEqual([
        expect.stringContaining('Test alert from forecast-guard (requested by carol)'),
      ]);
    } finally {
      await slack.close();
    }
  }, 120_000);
});
