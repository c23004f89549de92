/**
 * Findings: what one health-check run concluded, before it becomes `Alert`
 * messages. Pure. A finding is identified by (kind, isbn) — the part of the
 * alert fingerprint a run controls — so a condition that fired in the last
 * run and is checked again without firing becomes a `resolved` alert with
 * the same kind and isbn, which alert-dispatch matches to the same
 * fingerprint.
 */
import type { Alert, AlertKind } from '../../contracts/messages/alert';
import type { Environment, HealthStatus, Severity } from '../../contracts/primitives';

/** One condition a run observed to be firing (or, for resolutions, to have cleared). */
export interface Finding {
  kind: AlertKind;
  severity: Severity;
  /** Absent for fleet-level conditions (registry, pipeline, data feed). */
  isbn?: string;
  modelVersion?: string;
  summary: string;
  details: Record<string, unknown>;
}

/** What a HealthReport keeps of each alert: enough to resolve it next run. */
export interface AlertRef {
  kind: AlertKind;
  severity: Severity;
  isbn?: string;
}

/** The identity of a condition within one environment: `kind` and `isbn` (empty for fleet-level). */
export function findingKey(ref: { kind: AlertKind; isbn?: string }): string {
  return `${ref.kind}|${ref.isbn ?? ''}`;
}

/**
 * Status of a book or a run from what fires: any critical → `unhealthy`, any
 * warning → `degraded`, otherwise (nothing, or info only) `healthy`.
 */
export function statusOf(findings: ReadonlyArray<{ severity: Severity }>): HealthStatus {
  if (findings.some((f) => f.severity === 'critical')) return 'unhealthy';
  if (findings.some((f) => f.severity === 'warning')) return 'degraded';
  return 'healthy';
}

export interface ResolutionPlan {
  /** Conditions that fired last run, were checked now and no longer fire. */
  resolved: Finding[];
  /** Conditions that fired last run and were not checked now (another scope, a registry outage): still firing as far as anyone knows. */
  carried: AlertRef[];
}

/**
 * Compares the previous run's firing alerts with this run. For every
 * (kind, isbn) that fired then: checked now (`evaluated` holds its key) and
 * not firing → a `resolved` finding with the severity it fired at; not
 * checked now → carried over, so the next run that checks it can still
 * resolve it; firing again → nothing (the new firing alert says it).
 */
export function planResolutions(
  previous: readonly AlertRef[],
  firing: readonly AlertRef[],
  evaluated: ReadonlySet<string>,
  context: { previousRunId: string; modelVersions?: ReadonlyMap<string, string> },
): ResolutionPlan {
  const firingNow = new Set(firing.map(findingKey));
  const seen = new Set<string>();
  const plan: ResolutionPlan = { resolved: [], carried: [] };
  for (const ref of previous) {
    const key = findingKey(ref);
    // A report lists each condition once, but one written by hand or by an older build might not.
    if (seen.has(key) || firingNow.has(key)) continue;
    seen.add(key);
    if (!evaluated.has(key)) {
      plan.carried.push({ kind: ref.kind, severity: ref.severity, ...(ref.isbn ? { isbn: ref.isbn } : {}) });
      continue;
    }
    const version = ref.isbn ? context.modelVersions?.get(ref.isbn) : undefined;
    plan.resolved.push({
      kind: ref.kind,
      severity: ref.severity,
      ...(ref.isbn ? { isbn: ref.isbn } : {}),
      ...(version ? { modelVersion: version } : {}),
      summary: `Resolved: ${ref.kind.replaceAll('_', ' ')}${ref.isbn ? ` on ${ref.isbn}` : ''} no longer fires (it did in run ${context.previousRunId})`,
      details: { previousRunId: context.previousRunId },
    });
  }
  return plan;
}

/** What every alert of one run shares. */
export interface AlertStamp {
  status: 'firing' | 'resolved';
  observedAt: string;
  correlationId: string;
  runId: string;
  environment: Environment;
  source?: string;
}

/** The `Alert` message for a finding. Summaries are cut to the contract's 500 characters. */
export function toAlert(finding: Finding, stamp: AlertStamp): Alert {
  const summary = finding.summary.length > 500 ? `${finding.summary.slice(0, 499)}…` : finding.summary;
  return {
    kind: finding.kind,
    severity: finding.severity,
    status: stamp.status,
    ...(finding.isbn ? { isbn: finding.isbn } : {}),
    ...(finding.modelVersion ? { modelVersion: finding.modelVersion } : {}),
    summary,
    details: finding.details,
    source: stamp.source ?? 'health-check',
    observedAt: stamp.observedAt,
    correlationId: stamp.correlationId,
    runId: stamp.runId,
    environment: stamp.environment,
  };
}
