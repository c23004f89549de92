/**
 * Wiring for `forecast-guard trace`: the log reader (Cloud Logging on Google
 * Cloud, the local stack's JSON log files otherwise) and the settings.
 */
import type * as CloudLogging from '@google-cloud/logging';
import { CloudLoggingReader } from '../adapters/gcp/cloud-logging-reader';
import { LocalLogFiles } from '../adapters/local/log-files';
import type { Config } from '../config';
import { ConfigError } from '../errors';
import { logFilePath } from '../logging/rotating-file';
import type { LogReader } from '../ports/log-reader';
import type { TraceSettings } from '../services/trace/types';
import { FUNCTIONS, HTTP_SCHEDULES } from '../topology';
import { dirname } from 'node:path';

/** Log lines a trace prints at most. */
export const TRACE_LOG_LIMIT = 1000;

/**
 * The Cloud Run service of every deployment, as infra/locals.tf names them
 * (`service_names`): each function, `<name>-http` for its HTTP entry, and
 * each HTTP schedule's deployment.
 */
export function functionServiceNames(): string[] {
  return [
    ...FUNCTIONS.map((f) => f.name),
    ...FUNCTIONS.filter((f) => f.http).map((f) => `${f.name}-http`),
    ...HTTP_SCHEDULES.map((s) => s.name),
  ].sort();
}

/** Google Cloud for real: FG_BACKEND=gcp without emulators. */
function onGoogleCloud(config: Config): boolean {
  return config.backend === 'gcp' && !config.gcp.emulators.pubsub && !config.gcp.emulators.firestore;
}

export function traceSettings(config: Config): TraceSettings {
  return {
    services: functionServiceNames(),
    ...(config.gcp.projectId !== undefined ? { projectId: config.gcp.projectId } : {}),
    configuredTrainStart: config.pipeline.trainStart,
    logLimit: TRACE_LOG_LIMIT,
    logsShareStateClock: onGoogleCloud(config),
  };
}

/** Cloud Logging on Google Cloud; the local stack's log directory (`<stateDir>/logs`) otherwise. */
export function traceLogReader(config: Config): LogReader {
  if (!onGoogleCloud(config)) return new LocalLogFiles(dirname(logFilePath(config.stateDir, 'any')));
  const projectId = config.gcp.projectId;
  if (projectId === undefined)
    throw new ConfigError('FG_BACKEND=gcp needs GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT');
  // Built on the first search: constructing the client already looks for credentials.
  // Required then too, so a trace of the local stack never loads `@google-cloud/logging`.
  const newLogging = () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Logging } = require('@google-cloud/logging') as typeof CloudLogging;
    return new Logging({ projectId });
  };
  return new CloudLoggingReader(newLogging, {
    projectId,
    services: functionServiceNames(),
  });
}
