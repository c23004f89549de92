/** When one dispatch asks Pub/Sub for a redelivery. */
import { sendsToRetry } from '../../../../shared/domain/alerting/redelivery';

const sent = (status: string, fingerprints: string[]) => ({ status, fingerprints });

describe('sendsToRetry', () => {
  it('asks for a redelivery for its own failed sends and for flushed sends about its alert', () => {
    const own = [sent('delivered', ['a']), sent('retrying', ['x'])];
    const flushed = [sent('retrying', ['a', 'b']), sent('retrying', ['c']), sent('gave-up', ['a'])];
    expect(sendsToRetry(own, flushed, 'a', {})).toEqual([own[1], flushed[0]]);
  });

  it('asks for nothing when every send went out or gave up', () => {
    expect(sendsToRetry([sent('delivered', ['a']), sent('gave-up', ['a'])], [], 'a', {})).toEqual([]);
  });

  it('asks for nothing on the last delivery attempt', () => {
    const own = [sent('retrying', ['a'])];
    expect(sendsToRetry(own, [], 'a', { deliveryAttempt: 4, maxDeliveryAttempts: 5 })).toEqual(own);
    expect(sendsToRetry(own, [], 'a', { deliveryAttempt: 5, maxDeliveryAttempts: 5 })).toEqual([]);
    expect(sendsToRetry(own, [], 'a', { deliveryAttempt: 5 })).toEqual(own);
  });
});
