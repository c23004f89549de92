/**
 * infra/topology.json is generated from shared/topology.ts, never edited:
 * the committed file must be exactly what the generator writes today.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ackDeadlineFor,
  buildInfraTopology,
  INFRA_TOPOLOGY_FILE,
  publishTopicsOf,
} from '../../scripts/gen-infra-topology';
import { DELIVERY, FUNCTIONS, SUBSCRIPTIONS, TOPICS, deadLetterTopicOf } from '../../shared/topology';

describe('infra/topology.json', () => {
  it('is what scripts/gen-infra-topology.ts generates (run it after changing shared/topology.ts)', () => {
    // The generator formats with prettier, which jest cannot load: run it as a script, as a person would.
    const root = join(__dirname, '..', '..');
    const out = execFileSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'scripts/gen-infra-topology.ts', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(out).toContain('is up to date');
    expect(JSON.parse(readFileSync(INFRA_TOPOLOGY_FILE, 'utf8'))).toEqual(buildInfraTopology());
  });

  it('keys every collection by the resource name Terraform creates', () => {
    const t = buildInfraTopology();
    expect(Object.keys(t.topics).sort()).toEqual([...TOPICS].sort());
    expect(Object.keys(t.deadLetterTopics).sort()).toEqual(TOPICS.map(deadLetterTopicOf).sort());
    expect(Object.keys(t.subscriptions).sort()).toEqual(SUBSCRIPTIONS.map((s) => s.name).sort());
    expect(Object.keys(t.functions).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
    expect(t.httpFunctions).toEqual({
      'rollback-http': { function: 'rollback', entryPoint: 'rollbackHttp' },
    });
  });

  it("grants each function publish on its topology topics plus its own trigger's dead-letter topic", () => {
    const healthCheck = FUNCTIONS.find((f) => f.name === 'health-check')!;
    expect(publishTopicsOf(healthCheck)).toEqual(['alerts', 'health-check-requests-dead-letter']);
    const alertDispatch = FUNCTIONS.find((f) => f.name === 'alert-dispatch')!;
    expect(publishTopicsOf(alertDispatch)).toEqual(['alerts-dead-letter']);
  });

  it("raises a push subscription's ack deadline to its function's timeout, within Pub/Sub's 600 s", () => {
    const t = buildInfraTopology();
    for (const [name, sub] of Object.entries(t.subscriptions)) {
      const fn = FUNCTIONS.find((f) => f.name === sub.consumer)!;
      expect([name, sub.ackDeadlineSeconds]).toEqual([
        name,
        Math.min(600, Math.max(DELIVERY.ackDeadlineSeconds, fn.timeoutSeconds)),
      ]);
    }
    expect(ackDeadlineFor({ ...FUNCTIONS[0]!, timeoutSeconds: 3600 })).toBe(600);
    expect(ackDeadlineFor({ ...FUNCTIONS[0]!, timeoutSeconds: 30 })).toBe(DELIVERY.ackDeadlineSeconds);
  });
});
