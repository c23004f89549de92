/**
 * What operators do with alert state (`forecast-guard alerts …`): list it,
 * acknowledge an alert, silence one for a while. Changes go through a
 * transaction like every other AlertState write.
 */
import { COLLECTIONS } from '../../contracts/collections';
import type { AlertState, AlertStateStatus } from '../../contracts/documents/alert-state';
import { NotFoundError } from '../../errors';
import { acknowledgeAlert, silenceAlert } from '../../domain/alerting/operator-actions';
import type { Clock } from '../../ports/clock';
import type { StateStore } from '../../ports/state-store';

/** One row of `alerts list`. */
export interface AlertSummary {
  fingerprint: string;
  kind: string;
  severity: string;
  status: AlertStateStatus;
  isbn: string | null;
  notifyCount: number;
  environment: string;
  summary: string;
  firstSeenAt: string;
  lastSeenAt: string;
  lastNotifiedAt: string | null;
  acknowledgedBy: string | null;
  silencedUntil: string | null;
  escalatedAt: string | null;
}

const STATUS_ORDER: Record<AlertStateStatus, number> = { firing: 0, pending: 1, resolved: 2 };
const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** The ports the operator's alert actions use. */
export interface AlertStatePorts {
  state: StateStore;
  clock: Clock;
}

/** Alert states, firing first, then by severity and most recently seen; `status` filters. */
export async function listAlerts(
  filter: { status?: AlertStateStatus },
  ports: Pick<AlertStatePorts, 'state'>,
): Promise<AlertSummary[]> {
  const docs = await ports.state.query<AlertState>(
    COLLECTIONS.alertStates,
    filter.status ? { where: [{ field: 'status', op: '==', value: filter.status }] } : undefined,
  );
  return docs
    .map((d) => summarise(d.data))
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) ||
        b.lastSeenAt.localeCompare(a.lastSeenAt) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
}

/** Acknowledges the alert `fingerprint` (NotFoundError when unknown, ConflictError when resolved). */
export async function acknowledge(
  request: { fingerprint: string; by: string },
  ports: AlertStatePorts,
): Promise<AlertSummary> {
  return change(ports.state, request.fingerprint, (s) => acknowledgeAlert(s, request.by, ports.clock.now()));
}

/** Silences the alert `fingerprint` for `forMs` from now. */
export async function silence(
  request: { fingerprint: string; forMs: number },
  ports: AlertStatePorts,
): Promise<AlertSummary> {
  const { clock } = ports;
  return change(ports.state, request.fingerprint, (s) =>
    silenceAlert(s, new Date(clock.now().getTime() + request.forMs), clock.now()),
  );
}

async function change(
  state: StateStore,
  fingerprint: string,
  fn: (s: AlertState) => AlertState,
): Promise<AlertSummary> {
  const next = await state.runTransaction(async (tx) => {
    const doc = await tx.get<AlertState>(COLLECTIONS.alertStates, fingerprint);
    if (!doc)
      throw new NotFoundError(
        `no alert with fingerprint ${fingerprint}; forecast-guard alerts list shows them`,
      );
    const changed = fn(doc.data);
    tx.set(COLLECTIONS.alertStates, fingerprint, changed as unknown as Record<string, unknown>);
    return changed;
  });
  return summarise(next);
}

/** The `alerts list` row of a stored state. */
export function summarise(s: AlertState): AlertSummary {
  return {
    fingerprint: s.fingerprint,
    kind: s.kind,
    severity: s.severity,
    status: s.status,
    isbn: s.isbn ?? null,
    notifyCount: s.notifyCount,
    environment: s.environment,
    summary: s.lastAlert.summary,
    firstSeenAt: s.firstSeenAt,
    lastSeenAt: s.lastSeenAt,
    lastNotifiedAt: s.lastNotifiedAt ?? null,
    acknowledgedBy: s.acknowledgedBy ?? null,
    silencedUntil: s.silencedUntil ?? null,
    escalatedAt: s.escalatedAt ?? null,
  };
}
