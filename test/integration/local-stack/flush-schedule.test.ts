/**
 * `forecast-guard up` runs the alert-dispatch flush on its schedule, as
 * Cloud Scheduler does on Google Cloud: the flush entry runs in its own
 * functions-framework process, and the stack's scheduler POSTs to it with
 * the per-run bearer token (FG_FLUSH_TOKEN, passed to the process through
 * its environment). With an accelerated tick it fires within a second and
 * is answered 200; the same URL without the token is 401.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../../shared/local-stack/stack';

describe('forecast-guard up: the flush schedule', () => {
  let stateDir: string;
  let stack: LocalStack | undefined;
  const events: string[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'fg-up-flush-'));
    const env: Record<string, string | undefined> = {
      ...process.env,
      FG_STATE_DIR: stateDir,
      FG_LOG_LEVEL: 'warning',
    };
    delete env.FG_FLUSH_TOKEN;
    delete env.FG_FLUSH_AUTH;
    stack = await startLocalStack({
      env,
      only: ['alert-dispatch-flush'],
      tickSeconds: 0.5,
      dashboard: false,
      seedBooks: 2,
      onEvent: (text) => events.push(text),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('calls the flush entry on its schedule with the stack token, and is answered 200', async () => {
    const flush = () => stack!.status().schedules.find((s) => s.name === 'alert-dispatch-flush');
    expect(flush()).toBeDefined();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && flush()?.lastFire?.status === undefined) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(flush()!.lastFire).toMatchObject({ schedule: 'alert-dispatch-flush', status: 200 });
    expect(flush()!.lastFire!.error).toBeUndefined();
    expect(events.some((e) => /schedule alert-dispatch-flush → .*200/.test(e))).toBe(true);
  }, 30_000);

  it('the flush process refuses a call without the token', async () => {
    const fn = stack!.functions.find((f) => f.spec.name === 'alert-dispatch-flush')!;
    expect((await fetch(`${fn.url}/`, { method: 'POST' })).status).toBe(401);
    expect(stack!.flushToken).toMatch(/^local-/);
  });
});
