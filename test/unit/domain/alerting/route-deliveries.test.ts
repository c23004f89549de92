/** The route stage: one claimed delivery document per channel a notification goes to. */
import { composeNotifications } from '../../../../shared/domain/alerting/grouping';
import { groupItemFrom } from '../../../../shared/domain/alerting/group-item';
import { CLAIM_LEASE_MS, deliveryDocId } from '../../../../shared/domain/alerting/outbox';
import { routeDeliveries } from '../../../../shared/domain/alerting/routing';
import { alert, observe, T0 } from './builders';

function composed(severity: 'critical' | 'info') {
  const obs = observe(alert({ severity }));
  const item = groupItemFrom(obs.alert, { ...obs, notify: 'firing', severity });
  return composeNotifications([item], { idBase: 'n-1', stormThreshold: 20 });
}

describe('routeDeliveries', () => {
  it('creates one delivery per configured channel the severity goes to, claimed by its creator', () => {
    const notifications = composed('critical');
    const [c] = notifications;
    const docs = routeDeliveries(notifications, ['slack', 'log'], T0);
    expect(docs.map((d) => d.id)).toEqual([
      deliveryDocId(c?.notification.id ?? '', 'slack'),
      deliveryDocId(c?.notification.id ?? '', 'log'),
    ]);
    expect(docs[0]).toMatchObject({
      channel: 'slack',
      fingerprints: c?.fingerprints,
      attempts: 1,
      payload: { type: 'send', notification: c?.notification },
      nextAttemptAt: new Date(T0.getTime() + CLAIM_LEASE_MS).toISOString(),
    });
  });

  it('sends info to the log only', () => {
    expect(routeDeliveries(composed('info'), ['slack', 'email', 'log'], T0).map((d) => d.channel)).toEqual([
      'log',
    ]);
  });
});
