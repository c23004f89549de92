import { channelsFor } from '../../../../shared/domain/alerting/routing';

const ALL = ['slack', 'slack-escalation', 'email', 'log'];

describe('channelsFor', () => {
  it('sends a critical to Slack and email at once, and logs it', () => {
    expect(channelsFor({ severity: 'critical', kind: 'firing' }, ALL)).toEqual(['slack', 'email', 'log']);
    expect(channelsFor({ severity: 'critical', kind: 'resolved' }, ALL)).toEqual(['slack', 'email', 'log']);
  });

  it('only logs warnings and info (warnings wait for the daily summary)', () => {
    expect(channelsFor({ severity: 'warning', kind: 'firing' }, ALL)).toEqual(['log']);
    expect(channelsFor({ severity: 'info', kind: 'firing' }, ALL)).toEqual(['log']);
  });

  it('sends the digest to Slack and email whatever its severity', () => {
    expect(channelsFor({ severity: 'info', kind: 'digest' }, ALL)).toEqual(['slack', 'email', 'log']);
  });

  it('escalates to the escalation webhook, or where people are paged when there is none', () => {
    expect(channelsFor({ severity: 'critical', kind: 'escalation' }, ALL)).toEqual([
      'slack-escalation',
      'log',
    ]);
    expect(channelsFor({ severity: 'critical', kind: 'escalation' }, ['slack', 'log'])).toEqual([
      'slack',
      'log',
    ]);
  });

  it('keeps to configured channels and falls back to the log', () => {
    expect(channelsFor({ severity: 'critical', kind: 'firing' }, ['email', 'log'])).toEqual(['email', 'log']);
    expect(channelsFor({ severity: 'critical', kind: 'firing' }, ['log'])).toEqual(['log']);
    expect(channelsFor({ severity: 'critical', kind: 'firing' }, [])).toEqual([]);
  });
});
