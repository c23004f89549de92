/**
 * The log-based metrics, dashboard and smoke check match on log lines the
 * code writes. Each filter's text is held to the line in the source, so a
 * reworded log message breaks this test rather than a dashboard, silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInfra, norm, resources, type InfraModel } from './helpers/hcl';

/** The HCL parser runs in a child process; on a loaded two-core machine parsing takes tens of seconds. */
const PARSE_TIMEOUT_MS = 120_000;

const ROOT = join(__dirname, '..', '..');
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('log-based metrics and the smoke check follow the code', () => {
  let infra: InfraModel;
  beforeAll(async () => {
    infra = await loadInfra();
  }, PARSE_TIMEOUT_MS);
  const filterOf = (name: string) => norm(resources(infra).get(`google_logging_metric.${name}`)?.filter);

  it('alerts sent: alert-dispatch\'s "<channel> notification delivered: …" line', () => {
    expect(source('shared/services/alert-dispatch/send.ts')).toContain(
      '`${doc.channel} notification delivered: ${n.title}`',
    );
    // The component label is the function's name: the entry-point factory builds its runtime under it.
    expect(source('functions/alert-dispatch/index.ts')).toContain("pubsubFunction('alert-dispatch'");
    expect(source('shared/wiring/entry-points.ts')).toContain('functionRuntime(name)');
    expect(filterOf('alerts_sent')).toContain('labels.component="alert-dispatch"');
    expect(filterOf('alerts_sent')).toContain('notificationdelivered:');
  });

  it('rollbacks: the rollback run timer ("rollback run done" / "rollback run failed")', () => {
    expect(source('shared/services/rollback/run.ts')).toContain("log.startTimer('rollback run'");
    expect(source('shared/logging/logger.ts')).toContain("end: (extra) => finish('INFO', 'done'");
    expect(filterOf('rollback_runs')).toContain('("rollbackrundone"OR"rollbackrunfailed")');
  });

  it('dead letters: the runtime\'s "dead-lettered: <reason>" warning', () => {
    expect(source('shared/runtime/pubsub-function.ts')).toContain('`dead-lettered: ${describeError(err)}`');
    expect(filterOf('dead_lettered')).toContain('^dead-lettered:');
  });

  it('smoke check: health-check\'s "<consumer> message done" line with its outcome', () => {
    expect(source('shared/runtime/pubsub-function.ts')).toContain('startTimer(`${spec.consumer} message`)');
    expect(source('shared/runtime/pubsub-function.ts')).toContain("timer.end({ outcome: 'handled' })");
    // The consumer is the function's name: the factory's delivery spec passes it to the runtime.
    expect(source('functions/health-check/index.ts')).toContain("pubsubFunction('health-check'");
    expect(source('shared/wiring/delivery-spec.ts')).toContain('consumer: name');
    expect(source('scripts/ci/smoke-health-check.sh')).toContain(
      'jsonPayload.message=\\"health-check message done\\"',
    );
  });
});
