/**
 * Where each alert kind's runbook lives: `docs/runbooks/<kind>.md` in this
 * repository, or under a base URL an operator sets (FG_RUNBOOK_BASE_URL,
 * e.g. the repository's page on GitHub). Pure, so the domain can put the
 * link into a notification and the dashboard into an alert row.
 */
import type { AlertKind } from './messages/alert';

/** The runbooks' folder, relative to the repository root: the default base. */
export const DEFAULT_RUNBOOK_BASE_URL = 'docs/runbooks/';

/** The runbook of `kind` under `baseUrl` (with or without its trailing slash). */
export function runbookFor(kind: AlertKind, baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): string {
  const base = baseUrl.trim() === '' ? DEFAULT_RUNBOOK_BASE_URL : baseUrl.trim();
  return `${base.endsWith('/') ? base : `${base}/`}${kind}.md`;
}

/** A runbook as a notification or a dashboard row carries it. */
export interface RunbookLink {
  kind: AlertKind;
  url: string;
}

/** One runbook per distinct kind of `kinds`, in first-seen order. */
export function runbooksFor(kinds: readonly AlertKind[], baseUrl: string): RunbookLink[] {
  return [...new Set(kinds)].map((kind) => ({ kind, url: runbookFor(kind, baseUrl) }));
}
