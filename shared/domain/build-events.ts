/**
 * What a Cloud Build status message means for forecast-guard, pure. Cloud
 * Build publishes every build of the project on `cloud-builds`; only this
 * project's builds matter: a release of forecast-guard itself (the configs
 * in cloudbuild*.yaml carry the tag `forecast-guard` and `_FG_ENVIRONMENT`)
 * or a model deployment build (`_ISBN`, `_MODEL_VERSION`, `_ENVIRONMENT`).
 * A build of ours that ends badly is a `build_failed` alert; a deployment
 * that succeeds is a `deployment.succeeded` lifecycle event and resolves an
 * earlier `build_failed` of the same kind; everything else is noise.
 */
import type { CloudBuild, CloudBuildStatus } from '../contracts/external/cloud-build';
import type { Alert } from '../contracts/messages/alert';
import type { LifecycleEvent } from '../contracts/messages/lifecycle-event';
import type { Environment, Severity } from '../contracts/primitives';
import { isValidCorrelationId } from '../contracts/primitives';
import { isValidIsbn13 } from './isbn';

/** Tag every forecast-guard build config carries; build-events keys on it. */
export const BUILD_TAG = 'forecast-guard';
/** Substitution a release build sets to the environment it deploys (`staging`, `production`). */
export const ENVIRONMENT_SUBSTITUTION = '_FG_ENVIRONMENT';
/** Terraform names this project's triggers `forecast-guard-<environment>`. */
export const TRIGGER_PREFIX = 'forecast-guard-';
/** Substitutions of a model deployment build (the deploy-model trigger's convention). */
export const MODEL_SUBSTITUTIONS = {
  isbn: '_ISBN',
  version: '_MODEL_VERSION',
  environment: '_ENVIRONMENT',
} as const;

/** Ends that page someone at once. */
const CRITICAL: ReadonlySet<CloudBuildStatus> = new Set([
  'FAILURE',
  'TIMEOUT',
  'INTERNAL_ERROR',
  'CANCELLED',
]);
/** Never started: queued past its TTL (a production build nobody approved in time). Worth a digest line. */
const WARNING: ReadonlySet<CloudBuildStatus> = new Set(['EXPIRED']);

const STATUS_WORDS: Partial<Record<CloudBuildStatus, string>> = {
  FAILURE: 'failed',
  TIMEOUT: 'timed out',
  INTERNAL_ERROR: 'hit a Cloud Build internal error',
  CANCELLED: 'was cancelled',
  EXPIRED: 'expired in the queue before it ran',
  SUCCESS: 'succeeded',
};

/** Which of this project's builds a message is about. */
export interface BuildIdentity {
  /** `release`: forecast-guard itself; `model-deploy`: one book's model; `other`: tagged ours, deploys nothing. */
  kind: 'release' | 'model-deploy' | 'other';
  /** Environment it deploys to, as the build says (may differ from where build-events runs). */
  target?: string;
  isbn?: string;
  version?: string;
  trigger?: string;
  commit?: string;
  branch?: string;
}

export type BuildEventDecision =
  | { action: 'alert'; alert: Alert; build: BuildIdentity }
  | { action: 'deployed'; event: LifecycleEvent; resolved: Alert; build: BuildIdentity }
  | { action: 'ignore'; reason: string };

export interface BuildEventContext {
  /** Where build-events runs: part of the alert fingerprint. */
  environment: Environment;
  correlationId: string;
}

/** This project's build, or undefined for anybody else's. */
export function identifyBuild(build: CloudBuild): BuildIdentity | undefined {
  const subs = build.substitutions ?? {};
  const tagged = (build.tags ?? []).includes(BUILD_TAG);
  const trigger = subs.TRIGGER_NAME;
  const common = {
    trigger,
    commit: subs.SHORT_SHA ?? subs.COMMIT_SHA?.slice(0, 7),
    branch: subs.BRANCH_NAME,
  };
  const isbn = subs[MODEL_SUBSTITUTIONS.isbn];
  if (isbn !== undefined) {
    return {
      ...common,
      kind: 'model-deploy',
      target: subs[MODEL_SUBSTITUTIONS.environment],
      isbn,
      version: subs[MODEL_SUBSTITUTIONS.version],
    };
  }
  const target = subs[ENVIRONMENT_SUBSTITUTION];
  if (target !== undefined) return { ...common, kind: 'release', target };
  if (tagged || trigger?.startsWith(TRIGGER_PREFIX)) return { ...common, kind: 'other' };
  return undefined;
}

/** `build-<id>`: the CI scripts put the same id on what they publish, so one query shows the build. */
export function buildCorrelationId(build: CloudBuild, fallback: string): string {
  const id = `build-${build.id}`;
  return isValidCorrelationId(id) ? id : fallback;
}

/** Decides what one status message means; pure. */
export function decideBuildEvent(build: CloudBuild, context: BuildEventContext): BuildEventDecision {
  const who = identifyBuild(build);
  if (!who) return { action: 'ignore', reason: `build ${build.id} is not a forecast-guard build` };
  if (approvalState(build) === 'REJECTED') {
    // An approver said no: a decision, not a failure.
    return { action: 'ignore', reason: `build ${build.id} was rejected at approval` };
  }
  const status = build.status;
  const severity: Severity | undefined = CRITICAL.has(status)
    ? 'critical'
    : WARNING.has(status)
      ? 'warning'
      : undefined;
  if (severity) {
    return { action: 'alert', build: who, alert: failureAlert(build, who, severity, context) };
  }
  if (status === 'SUCCESS') {
    if (who.kind === 'other') return { action: 'ignore', reason: `build ${build.id} deploys nothing` };
    return {
      action: 'deployed',
      build: who,
      event: deployedEvent(build, who, context),
      resolved: resolvedAlert(build, who, context),
    };
  }
  return { action: 'ignore', reason: `status ${status} needs no notification` };
}

function failureAlert(
  build: CloudBuild,
  who: BuildIdentity,
  severity: Severity,
  context: BuildEventContext,
): Alert {
  const reason = failureDetail(build);
  const summary = `${describe(build, who)} ${STATUS_WORDS[build.status]}${reason ? `: ${reason}` : ''}`;
  return {
    ...alertBase(build, who, context),
    severity,
    status: 'firing',
    summary: clip(summary, 500),
  };
}

function resolvedAlert(build: CloudBuild, who: BuildIdentity, context: BuildEventContext): Alert {
  return {
    ...alertBase(build, who, context),
    severity: 'info',
    status: 'resolved',
    summary: clip(`${describe(build, who)} succeeded`, 500),
  };
}

function alertBase(build: CloudBuild, who: BuildIdentity, context: BuildEventContext) {
  const isbn = who.isbn !== undefined && isValidIsbn13(who.isbn) ? who.isbn : undefined;
  const modelVersion = who.version !== undefined && /^[0-9]+$/.test(who.version) ? who.version : undefined;
  return {
    kind: 'build_failed' as const,
    // Same book, same fingerprint: a later success of the same deployment resolves the failure.
    ...(isbn ? { isbn } : {}),
    ...(modelVersion ? { modelVersion } : {}),
    details: buildDetails(build, who),
    source: 'build-events',
    observedAt: endedAt(build),
    correlationId: context.correlationId,
    environment: context.environment,
  };
}

function deployedEvent(build: CloudBuild, who: BuildIdentity, context: BuildEventContext): LifecycleEvent {
  const isbn = who.isbn !== undefined && isValidIsbn13(who.isbn) ? who.isbn : undefined;
  const version = who.version !== undefined && /^[0-9]+$/.test(who.version) ? who.version : undefined;
  const via = [
    `build ${build.id}`,
    who.commit ? `commit ${who.commit}` : undefined,
    who.trigger ? `trigger ${who.trigger}` : undefined,
  ].filter(Boolean);
  return {
    type: 'deployment.succeeded',
    ...(isbn ? { isbn } : {}),
    ...(version ? { version } : {}),
    detail: clip(`${describe(build, who)} succeeded (${via.join(', ')})`, 2000),
    at: endedAt(build),
    correlationId: context.correlationId,
  };
}

/** "forecast-guard deploy to staging", "Model deployment of ISBN … version 23 to production", "Build …". */
function describe(build: CloudBuild, who: BuildIdentity): string {
  const to = who.target ? ` to ${who.target}` : '';
  const commit = who.commit ? `, commit ${who.commit}` : '';
  const ref = `(build ${build.id.slice(0, 8)}${commit})`;
  switch (who.kind) {
    case 'release':
      return `forecast-guard deploy${to} ${ref}`;
    case 'model-deploy':
      return `Model deployment of ISBN ${who.isbn}${who.version ? ` version ${who.version}` : ''}${to} ${ref}`;
    default:
      return `Build ${who.trigger ?? 'of forecast-guard'} ${ref}`;
  }
}

function buildDetails(build: CloudBuild, who: BuildIdentity): Record<string, unknown> {
  const details: Record<string, unknown> = {
    buildId: build.id,
    status: build.status,
    kind: who.kind,
    target: who.target,
    trigger: who.trigger,
    commit: who.commit,
    branch: who.branch,
    logUrl: build.logUrl,
    failedStep: failedStep(build),
    failure: failureDetail(build),
    finishedAt: build.finishTime,
  };
  for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
  return details;
}

/** Cloud Build's own words for what went wrong: failureInfo.detail, else statusDetail. */
function failureDetail(build: CloudBuild): string | undefined {
  const info = asRecord(build.failureInfo);
  const detail = typeof info?.detail === 'string' ? info.detail : build.statusDetail;
  return detail ? clip(detail, 300) : undefined;
}

/** The first step that did not succeed: its id, or its image and command. */
function failedStep(build: CloudBuild): string | undefined {
  const steps = Array.isArray(build.steps) ? build.steps : [];
  for (const raw of steps) {
    const step = asRecord(raw);
    if (!step || typeof step.status !== 'string' || !CRITICAL.has(step.status as CloudBuildStatus)) continue;
    if (typeof step.id === 'string') return step.id;
    const args = Array.isArray(step.args) ? step.args.filter((a) => typeof a === 'string') : [];
    return clip([step.name, ...args].filter(Boolean).join(' '), 200);
  }
  return undefined;
}

function approvalState(build: CloudBuild): string | undefined {
  const approval = asRecord(build.approval);
  return typeof approval?.state === 'string' ? approval.state : undefined;
}

/** When the build ended (or, for a message before the end, its latest known time), as UTC ISO. */
function endedAt(build: CloudBuild): string {
  return new Date(build.finishTime ?? build.startTime ?? build.createTime).toISOString();
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
