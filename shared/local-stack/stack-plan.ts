/**
 * What the local stack will run, computed before anything starts: one
 * process per function entry point of topology (the Pub/Sub-triggered ones
 * as CloudEvent functions, the HTTP rollback entry and the entries the
 * HTTP schedules call as HTTP functions), and the environment every child
 * reads its config from.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ValidationError } from '../errors';
import {
  FUNCTIONS,
  HTTP_SCHEDULES,
  type FunctionName,
  type FunctionSpec,
  type HttpScheduleSpec,
  type TopicName,
} from '../topology';
import { PUSH_SECRET_ENV } from './push-guard';

/** One process to start. */
export interface PlannedFunction {
  /** Component name: `health-check`, …, `rollback-http`. */
  name: string;
  function: FunctionName;
  entryPoint: string;
  signatureType: 'cloudevent' | 'http';
  /** The topic it consumes (CloudEvent functions). */
  trigger?: TopicName;
}

/** Every entry point of topology, CloudEvent functions first, then the HTTP ones, then the scheduled ones. */
export function plannedFunctions(
  functions: readonly FunctionSpec[] = FUNCTIONS,
  httpSchedules: readonly HttpScheduleSpec[] = HTTP_SCHEDULES,
): PlannedFunction[] {
  const events = functions
    .filter((f) => f.trigger)
    .map((f) => ({
      name: f.name,
      function: f.name,
      entryPoint: f.entryPoint,
      signatureType: 'cloudevent' as const,
      trigger: f.trigger,
    }));
  const http = functions
    .filter((f) => f.http)
    .map((f) => ({
      name: `${f.name}-http`,
      function: f.name,
      entryPoint: f.http!.entryPoint,
      signatureType: 'http' as const,
    }));
  const scheduled = httpSchedules.map((s) => ({
    name: s.name,
    function: s.function,
    entryPoint: s.entryPoint,
    signatureType: 'http' as const,
  }));
  return [...events, ...http, ...scheduled];
}

/** Keeps the named components (`--only health-check,alert-dispatch`); unknown names are refused. */
export function selectFunctions(
  all: PlannedFunction[],
  only: readonly string[] | undefined,
): PlannedFunction[] {
  if (!only || only.length === 0) return all;
  const unknown = only.filter((n) => !all.some((f) => f.name === n));
  if (unknown.length > 0) {
    throw new ValidationError(
      `functions: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a function of topology (known: ${all.map((f) => f.name).join(', ')})`,
      ['functions'],
    );
  }
  return all.filter((f) => only.includes(f.name));
}

/** Project id the local stack uses in push URLs and, with emulators, for Firestore and Pub/Sub. */
export const LOCAL_PROJECT_ID = 'demo-forecast-guard';

/** Where the stack keeps state with `--emulators`: apart from the embedded state, and rebuilt every start. */
export function emulatorStateDir(stateDir: string): string {
  return join(stateDir, 'emulators');
}

export interface ChildEnvInput {
  base: Record<string, string | undefined>;
  stateDir: string;
  rollbackToken: string;
  /** This run's push secret (see push-guard.ts); only the function processes get it. */
  pushSecret: string;
  /** Bearer token the flush entry requires; the stack's scheduler sends it. */
  flushToken: string;
  emulators?: { pubsub: string; firestore: string; projectId: string };
}

/**
 * The environment of every function process (and the stack's own config):
 * the operator's environment, the state dir made absolute, the rollback and
 * flush tokens, the push secret, and with emulators the gcp backend pointed
 * at them. Cloud Run's own variables are removed (the functions framework
 * reads `K_SERVICE` and friends, and a local process is not on Cloud Run);
 * `FG_ROLLBACK_AUDIENCE` is removed so the local rollback-http asks for the
 * stack's bearer token, not a Google identity token; and the flush checks its
 * token here (FG_FLUSH_AUTH=token) whatever the operator's environment says.
 */
export function childEnv(input: ChildEnvInput): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...input.base,
    FG_STATE_DIR: input.stateDir,
    FG_ROLLBACK_TOKEN: input.rollbackToken,
    [PUSH_SECRET_ENV]: input.pushSecret,
    FG_FLUSH_TOKEN: input.flushToken,
    FG_FLUSH_AUTH: 'token',
  };
  for (const name of [
    'K_SERVICE',
    'K_REVISION',
    'K_CONFIGURATION',
    'FUNCTION_TARGET',
    'PORT',
    'FG_ROLLBACK_AUDIENCE',
  ]) {
    delete env[name];
  }
  if (input.emulators) {
    env.FG_BACKEND = 'gcp';
    env.GOOGLE_CLOUD_PROJECT = input.emulators.projectId;
    env.PUBSUB_EMULATOR_HOST = input.emulators.pubsub;
    env.FIRESTORE_EMULATOR_HOST = input.emulators.firestore;
    env.METADATA_SERVER_DETECTION = 'none';
  }
  return env;
}

/** A bearer token (HTTP rollback, flush) when the operator set none (printed, never logged). */
export function sessionToken(): string {
  return `local-${randomBytes(18).toString('base64url')}`;
}

/** A new secret for each `up` run, which every push to a Pub/Sub-triggered function must carry (never printed). */
export function pushSecret(): string {
  return randomBytes(32).toString('base64url');
}
