/**
 * Wiring for `forecast-guard trace`: the services the log query names are
 * those infra deploys (infra/topology.json, generated from topology), and
 * the log reader is Cloud Logging only on Google Cloud for real, the local
 * stack's log directory otherwise (the emulators included: there the local
 * stack's functions write the files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudLoggingReader } from '../../../shared/adapters/gcp/cloud-logging-reader';
import { LocalLogFiles } from '../../../shared/adapters/local/log-files';
import { loadConfig } from '../../../shared/config';
import { functionServiceNames, traceLogReader, traceSettings } from '../../../shared/wiring/trace';

const ROOT = join(__dirname, '../../..');

describe('trace wiring', () => {
  it('names the Cloud Run service of every deployment infra makes', () => {
    const infra = JSON.parse(readFileSync(join(ROOT, 'infra/topology.json'), 'utf8'));
    const deployed = [
      ...Object.keys(infra.functions),
      ...Object.keys(infra.httpFunctions),
      ...Object.keys(infra.httpSchedules),
    ].sort();
    expect(functionServiceNames()).toEqual(deployed);
  });

  it('reads Cloud Logging on Google Cloud, with the project, and bounds searches by time there', () => {
    const config = loadConfig({ FG_BACKEND: 'gcp', GOOGLE_CLOUD_PROJECT: 'fg-prod' }, { cwd: ROOT });
    expect(traceLogReader(config)).toBeInstanceOf(CloudLoggingReader);
    expect(traceSettings(config)).toMatchObject({ projectId: 'fg-prod', logsShareStateClock: true });
  });

  it('reads the local log files on the embedded backend and against the emulators', () => {
    const embedded = loadConfig({ FG_STATE_DIR: '/tmp/fg-x' }, { cwd: ROOT });
    expect(traceLogReader(embedded)).toEqual(new LocalLogFiles('/tmp/fg-x/logs'));
    expect(traceSettings(embedded)).toMatchObject({
      logsShareStateClock: false,
      configuredTrainStart: '2012-01-01',
    });
    const emulated = loadConfig(
      {
        FG_BACKEND: 'gcp',
        GOOGLE_CLOUD_PROJECT: 'local',
        FG_STATE_DIR: '/tmp/fg-y',
        PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
        FIRESTORE_EMULATOR_HOST: '127.0.0.1:8086',
      },
      { cwd: ROOT },
    );
    expect(traceLogReader(emulated)).toEqual(new LocalLogFiles('/tmp/fg-y/logs'));
  });
});
