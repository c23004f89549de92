/**
 * The real channels for alerting integration tests: Slack's incoming webhook
 * played by the http-recorder, email by aiosmtpd, both through the real
 * notifiers `buildNotifiers` builds from config. The clock is stepped by the
 * test (sleeping moves it), and the state store is the embedded SQLite file
 * or Firestore on the emulator.
 */
import { resetFirestoreEmulator } from '../../../shared/adapters/gcp/emulators';
import { FirestoreStateStore } from '../../../shared/adapters/gcp/firestore-state-store';
import { createCapturingLogger, type CapturedLogs } from '../../../shared/logging/capture';
import { systemClock, type Clock } from '../../../shared/ports/clock';
import type { StateStore } from '../../../shared/ports/state-store';
import type { AlertDispatchDeps } from '../../../shared/services/alert-dispatch/deps';
import { alertingDeps } from '../../../shared/wiring/alerting';
import { requireEmulatorHosts, uniqueProjectId } from '../../helpers/emulators';
import { embeddedWorld } from '../../helpers/embedded-world';
import type { Recorder } from '../../helpers/http-recorder';
import type { SmtpServer } from '../../helpers/smtp-server';

export const SLACK_PATH = '/services/T0FG/B0ALERTS/s3cretWebhookToken';
export const EMAIL_TO = 'oncall@example.com';
export const EMAIL_FROM = 'forecast-guard <alerts@forecast-guard.example.com>';

export interface SteppedClock extends Clock {
  advance(ms: number): void;
}

/** Starts at the real time (so TTLs behave), then moves only when the test or a sleep moves it. */
export function steppedClock(): SteppedClock {
  let now = Date.now();
  return {
    now: () => new Date(now),
    sleep: async (ms) => {
      now += Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export interface StateBackend {
  label: string;
  open(clock: Clock): Promise<{ state: StateStore; cleanup(): Promise<void> }>;
}

export const embeddedState: StateBackend = {
  label: 'embedded',
  async open(clock) {
    // The store sleeps only to back off; its "now" follows the test's clock.
    const world = await embeddedWorld({
      prefix: 'fg-alerting-',
      clock: { now: () => clock.now(), sleep: systemClock.sleep },
    });
    return { state: world.state, cleanup: world.close };
  },
};

export const firestoreState: StateBackend = {
  label: 'firestore',
  async open(clock) {
    const projectId = uniqueProjectId('demo-fg-alerts');
    const host = requireEmulatorHosts().firestore;
    const state = new FirestoreStateStore({
      projectId,
      emulatorHost: host,
      clock: { now: () => clock.now(), sleep: systemClock.sleep },
      maxTransactionAttempts: 10,
    });
    return {
      state,
      cleanup: async () => {
        await state.close();
        await resetFirestoreEmulator(host, projectId);
      },
    };
  },
};

export interface Channels {
  slack: Recorder;
  smtp: SmtpServer;
}

/** Notify config pointing at the stand-ins (the same variables an operator sets). */
export function notifyConfig(channels: Channels) {
  return {
    slackWebhookUrl: `${channels.slack.url}${SLACK_PATH}`,
    smtpUrl: channels.smtp.url,
    emailTo: [EMAIL_TO],
    emailFrom: EMAIL_FROM,
  };
}

/** Dispatch dependencies over `state`, with the real Slack and email notifiers (and the log). */
export function realDeps(
  state: StateStore,
  clock: Clock,
  channels: Channels,
  environment: 'production' | 'staging' = 'production',
  alerting: { runbookBaseUrl?: string } = {},
): { deps: AlertDispatchDeps; logs: CapturedLogs } {
  const logs = createCapturingLogger({ clock, level: 'info' });
  const deps = alertingDeps(
    {
      environment,
      notify: notifyConfig(channels),
      alerting: {
        repeatIntervalMs: { critical: 4 * 3_600_000, warning: 86_400_000 },
        escalateAfterMs: 30 * 60_000,
        pendingPeriodMs: 0,
        groupWaitMs: 2000,
        pipelineStaleAfterMs: 8 * 86_400_000,
        dataFreshnessWeeks: 2,
        healthConcurrency: 4,
        healthSlice: 500,
        ...alerting,
      },
    },
    { state, clock },
    logs.logger,
  );
  return { deps, logs };
}

/** Slack POSTs that Slack accepted, with the notification id from the context block. */
export function slackPages(slack: Recorder): Array<{ text: string; id: string }> {
  return slack.requests
    .filter((r) => r.status === 200)
    .map((r) => {
      const body = r.body as {
        text: string;
        blocks: Array<{ type: string; elements?: Array<{ text: string }> }>;
      };
      const context = body.blocks.find((b) => b.type === 'context')?.elements?.[0]?.text ?? '';
      return { text: body.text, id: /notification (\S+)/.exec(context)?.[1] ?? '' };
    });
}
