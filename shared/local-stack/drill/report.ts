/**
 * The drill's record and how it reads: a timeline of what was injected and
 * what the system did (milliseconds since the drill began), and one step per
 * product-owner target with the measured figure beside it. Rendered as text
 * for the terminal and as a standalone HTML page to keep or share.
 */

/** One product-owner target, measured. `targetMs`/`measuredMs` are null where the target is a count. */
export interface DrillStep {
  name: string;
  /** The target in words: "≤ 5 min", "alert from the first run". */
  target: string;
  targetMs: number | null;
  measuredMs: number | null;
  passed: boolean;
  detail: string;
}

export interface TimelineEvent {
  /** Milliseconds since the drill began. */
  atMs: number;
  text: string;
}

export interface DrillResult {
  passed: boolean;
  startedAt: string;
  durationMs: number;
  /** Stack start (seed + functions) before the first injection. */
  setupMs: number;
  steps: DrillStep[];
  timeline: TimelineEvent[];
  notifications: number;
  stateDir: string;
  reportPath?: string;
}

/** Collects timeline events relative to a start time. */
export class Timeline {
  readonly events: TimelineEvent[] = [];
  constructor(
    readonly startedAt: number,
    private readonly now: () => number = () => performance.now(),
    private readonly onEvent?: (event: TimelineEvent) => void,
  ) {}

  /** Records `text` now (or at `at`, a performance.now() reading) and returns that time. */
  mark(text: string, at: number = this.now()): number {
    const event = { atMs: Math.round(at - this.startedAt), text };
    this.events.push(event);
    this.events.sort((a, b) => a.atMs - b.atMs);
    this.onEvent?.(event);
    return at;
  }
}

/** 1234 → "1.2 s", 95000 → "1 min 35 s", 420 → "420 ms". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The terminal rendering: the targets table, then (unless it was printed live) the timeline. */
export function renderDrillText(result: DrillResult, options: { timeline?: boolean } = {}): string {
  const rows = result.steps.map((s) => [
    s.name,
    s.target,
    formatMs(s.measuredMs),
    s.passed ? 'PASS' : 'MISS',
    s.detail,
  ]);
  const head = ['step', 'target', 'measured', 'result', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `drill ${result.passed ? 'PASSED' : 'FAILED'}: ${result.steps.filter((s) => s.passed).length}/${result.steps.length} targets met in ${formatMs(result.durationMs)} (setup ${formatMs(result.setupMs)}, ${result.notifications} notifications)`,
    '',
    fmt(head.map((h) => h.toUpperCase())),
    ...rows.map(fmt),
    '',
    ...(options.timeline === false
      ? []
      : [
          'timeline:',
          ...result.timeline.map((e) => `  T+${(e.atMs / 1000).toFixed(2).padStart(7)} s  ${e.text}`),
          '',
        ]),
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A standalone HTML page of the same content (no scripts, nothing loaded from elsewhere). */
export function renderDrillHtml(result: DrillResult): string {
  const steps = result.steps
    .map(
      (s) =>
        `<tr class="${s.passed ? 'ok' : 'bad'}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.target)}</td>` +
        `<td class="num">${escapeHtml(formatMs(s.measuredMs))}</td><td><b>${s.passed ? 'PASS' : 'MISS'}</b></td>` +
        `<td>${escapeHtml(s.detail)}</td></tr>`,
    )
    .join('\n');
  const events = result.timeline
    .map(
      (e) => `<tr><td class="num">T+${(e.atMs / 1000).toFixed(2)} s</td><td>${escapeHtml(e.text)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>forecast-guard drill ${escapeHtml(result.startedAt)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1f2328; }
table { border-collapse: collapse; margin: 8px 0 24px; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { color: #57606a; font-size: 12px; text-transform: uppercase; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.ok b { color: #1a7f37; } tr.bad b { color: #cf222e; }
.verdict { font-size: 18px; font-weight: 600; color: ${result.passed ? '#1a7f37' : '#cf222e'}; }
</style></head>
<body>
<h1>forecast-guard game day</h1>
<p class="verdict">${result.passed ? 'Every target met' : 'Targets missed'} — ${result.steps.filter((s) => s.passed).length}/${result.steps.length}</p>
<p>Started ${escapeHtml(result.startedAt)} on a fresh embedded backend; ran ${escapeHtml(formatMs(result.durationMs))}
(setup ${escapeHtml(formatMs(result.setupMs))}); ${result.notifications} notifications reached the Slack stand-in.</p>
<h2>Targets</h2>
<table><thead><tr><th>Step</th><th>Target</th><th>Measured</th><th>Result</th><th>Detail</th></tr></thead>
<tbody>
${steps}
</tbody></table>
<h2>Timeline</h2>
<table><tbody>
${events}
</tbody></table>
</body></html>
`;
}
