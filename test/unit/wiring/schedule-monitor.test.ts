/**
 * Which scheduler the health check reads (shared/wiring/schedule-monitor.ts):
 * Cloud Scheduler in the project and region on Google Cloud, whatever
 * FG_SCHEDULER_API_ENDPOINT names, and none on one machine without the stack
 * or on the emulators without a scheduler server. A malformed endpoint is
 * refused by the configuration, naming the variable.
 */
import { CloudSchedulerMonitor } from '../../../shared/adapters/gcp/cloud-scheduler-monitor';
import { loadConfig } from '../../../shared/config';
import { ConfigError } from '../../../shared/errors';
import {
  LOCAL_SCHEDULER_PROJECT,
  openScheduleMonitor,
  schedulerLocation,
} from '../../../shared/wiring/schedule-monitor';

describe('openScheduleMonitor', () => {
  it('reads Cloud Scheduler in the project and region on Google Cloud', () => {
    const config = loadConfig({
      FG_BACKEND: 'gcp',
      GOOGLE_CLOUD_PROJECT: 'fg-prod',
      FG_REGION: 'europe-west4',
      FG_SALES_URI: 'gs://fg-sales/raw/',
    });
    const monitor = openScheduleMonitor(config);
    expect(monitor).toBeInstanceOf(CloudSchedulerMonitor);
    expect((monitor as CloudSchedulerMonitor).parent).toBe('projects/fg-prod/locations/europe-west4');
  });

  it('reads the local stack’s scheduler where FG_SCHEDULER_API_ENDPOINT points, on the embedded backend', () => {
    const config = loadConfig({ FG_SCHEDULER_API_ENDPOINT: '127.0.0.1:8690' });
    expect(schedulerLocation(config)).toEqual({
      projectId: LOCAL_SCHEDULER_PROJECT,
      location: 'europe-west2',
    });
    expect((openScheduleMonitor(config) as CloudSchedulerMonitor).parent).toBe(
      `projects/${LOCAL_SCHEDULER_PROJECT}/locations/europe-west2`,
    );
  });

  it('reads none on one machine without the stack, nor on the emulators without a scheduler server', () => {
    expect(openScheduleMonitor(loadConfig({}))).toBeUndefined();
    const emulated = loadConfig({
      FG_BACKEND: 'gcp',
      GOOGLE_CLOUD_PROJECT: 'demo-x',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:8086',
      FG_SALES_URI: 'gs://fg-sales/raw/',
    });
    expect(openScheduleMonitor(emulated)).toBeUndefined();
  });

  it('refuses an endpoint that is not host:port, naming the variable', () => {
    expect(() => loadConfig({ FG_SCHEDULER_API_ENDPOINT: 'http://127.0.0.1:8690' })).toThrow(ConfigError);
    expect(() => loadConfig({ FG_SCHEDULER_API_ENDPOINT: 'http://127.0.0.1:8690' })).toThrow(
      /FG_SCHEDULER_API_ENDPOINT/,
    );
  });
});
