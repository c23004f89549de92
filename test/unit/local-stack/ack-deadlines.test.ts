/**
 * The local stack's subscriptions have infra's ack deadlines: each consumer
 * subscription's deadline is its function's timeout (within Pub/Sub's
 * 10-600 s), as Terraform sets it from infra/topology.json. Shorter, the
 * embedded queue (and the emulator) would redeliver a message, or the push
 * dispatcher would time its POST out, while a slow health check still runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTIONS, SUBSCRIPTIONS } from '../../../shared/topology';
import { subscriptionSpecs } from '../../../shared/wiring/topology-setup';

const infra = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'infra', 'topology.json'), 'utf8'),
) as {
  subscriptions: Record<string, { ackDeadlineSeconds: number }>;
};

describe('local ack deadlines', () => {
  it("give every consumer subscription infra's ack deadline: its function's timeout", () => {
    const specs = subscriptionSpecs({ pushEndpointFor: () => 'http://127.0.0.1:1/' });
    for (const sub of SUBSCRIPTIONS) {
      const spec = specs.find((s) => s.name === sub.name)!;
      const fn = FUNCTIONS.find((f) => f.name === sub.consumer)!;
      expect([sub.name, spec.ackDeadlineSeconds]).toEqual([
        sub.name,
        infra.subscriptions[sub.name]!.ackDeadlineSeconds,
      ]);
      expect([sub.name, spec.ackDeadlineSeconds]).toEqual([
        sub.name,
        Math.min(600, Math.max(60, fn.timeoutSeconds)),
      ]);
    }
    expect(specs.find((s) => s.name === 'health-check-requests--health-check')!.ackDeadlineSeconds).toBe(540);
  });

  it('still lets a test ask for shorter delivery settings', () => {
    const specs = subscriptionSpecs({ delivery: { ackDeadlineSeconds: 10 } });
    expect(new Set(specs.map((s) => s.ackDeadlineSeconds))).toEqual(new Set([10]));
  });
});
