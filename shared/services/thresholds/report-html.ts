/**
 * The threshold study as one self-contained HTML page: the product owner's
 * three questions answered first, then the recommendations, the histograms
 * of RMSE and MAPE per sales band with the candidate lines, the false-alarm
 * and miss curves, and every book's figures. Inline CSS and SVG only.
 */
import type { Environment } from '../../contracts/primitives';
import { RULES, type Quantiles, type RuleId } from '../../domain/backtest';
import { DEFAULT_THRESHOLDS } from '../../domain/thresholds';
import type { ThresholdStudyResult } from './index';
import { curvesSvg, esc, histogramSvg, type Curve, type Marker } from './svg';

const ENVS: readonly Environment[] = ['production', 'staging', 'development'];
const COLOURS = ['#c0392b', '#e67e22', '#8e44ad', '#16a085', '#2c3e50'];
const pct = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)} %`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? 'off' : String(v));
const q = (d: Quantiles | null) => (d === null ? '–' : `${d.p50} (${d.p10}–${d.p90}, max ${d.max})`);

function answers(study: ThresholdStudyResult): string {
  return study.answers
    .map(
      (a) =>
        `<section class="answer" id="answer-${a.id}"><h3>${esc(a.question)}</h3><p>${esc(a.answer)}</p></section>`,
    )
    .join('\n');
}

function recommendations(study: ThresholdStudyResult): string {
  const rows = ENVS.flatMap((env) => {
    const rec = study.recommendations[env];
    return (Object.keys(rec.rules) as RuleId[]).map((rule) => {
      const r = rec.rules[rule];
      return `<tr><td>${env}</td><td>${esc(RULES[rule].label)}</td><td>${num(r.current)}</td><td><b>${num(r.value)}</b></td><td>${pct(r.falseAlarm)}</td><td>${pct(r.meanMiss)}</td><td>${rec.bookOverrides[rule]}${rec.cappedBooks[rule].length > 0 ? ` (${rec.cappedBooks[rule].length} capped)` : ''}</td><td>${esc(r.why)}</td></tr>`;
    });
  });
  return `<table><tr><th>environment</th><th>rule</th><th>now</th><th>recommended</th><th>false alarms</th><th>mean miss</th><th>books looser</th><th>why</th></tr>${rows.join('')}</table>`;
}

function markers(rule: 'rmseMax' | 'mapeMax', study: ThresholdStudyResult): Marker[] {
  const ask = rule === 'rmseMax' ? [80, 100] : [30, 50];
  const out: Marker[] = ask.map((v) => ({ value: v, label: `asked ${v}`, colour: '#7f8c8d' }));
  const prod = study.recommendations.production.rules[rule].value;
  const stg = study.recommendations.staging.rules[rule].value;
  if (prod !== null) out.push({ value: prod, label: `production ${prod}`, colour: COLOURS[0] as string });
  if (stg !== null) out.push({ value: stg, label: `staging ${stg}`, colour: COLOURS[1] as string });
  return out;
}

function histograms(study: ThresholdStudyResult): string {
  return study.bands
    .filter((b) => b.windows > 0)
    .map((band) => {
      const rows = study.windows.filter((w) => w.band === band.id);
      const rmse = histogramSvg(
        `RMSE, ${band.label}`,
        rows.map((w) => w.rmse),
        markers('rmseMax', study),
      );
      const mapes = rows.flatMap((w) => (w.mape === null ? [] : [w.mape]));
      const mape = histogramSvg(`MAPE %, ${band.label}`, mapes, markers('mapeMax', study));
      return `<div class="band" id="band-${esc(band.id)}"><h3>${esc(band.label)}: ${band.books} books, ${band.windows} windows</h3><div class="plots">${rmse}${mape}</div></div>`;
    })
    .join('\n');
}

function curves(study: ThresholdStudyResult): string {
  return (Object.values(study.rates) as ThresholdStudyResult['rates'][RuleId][])
    .map((rates) => {
      const xs = rates.candidates.map((c) => c.value);
      const lines: Curve[] = [
        {
          label: 'false alarms (healthy), % at each point',
          labelPoints: true,
          colour: '#2c3e50',
          values: rates.candidates.map((c) => c.falseAlarm.rate),
        },
        ...study.injections.map((inj, i) => ({
          label: `miss: ${inj.label}`,
          colour: COLOURS[i % COLOURS.length] as string,
          dashed: true,
          values: rates.candidates.map((c) => c.miss[inj.id]?.rate ?? null),
        })),
      ];
      return curvesSvg(`${rates.label} (${rates.unit}): false alarms and misses per candidate`, xs, lines);
    })
    .join('\n');
}

function bandTable(study: ThresholdStudyResult): string {
  const rows = study.bands.map(
    (b) =>
      `<tr><td>${esc(b.label)}</td><td>${b.books}</td><td>${b.windows}</td><td>${q(b.rmse)}</td><td>${q(b.mape)}</td><td>${q(b.degradationPct)}</td></tr>`,
  );
  return `<table><tr><th>band</th><th>books</th><th>windows</th><th>RMSE p50 (p10–p90)</th><th>MAPE % p50 (p10–p90)</th><th>degradation % p50 (p10–p90)</th></tr>${rows.join('')}</table>`;
}

function bookTable(study: ThresholdStudyResult): string {
  const rows = study.books.map(
    (b) =>
      `<tr><td>${b.isbn}</td><td>${esc(b.band)}</td><td>${b.meanWeeklySales}</td><td>${b.windows}</td><td>${q(b.rmse)}</td><td>${q(b.mape)}</td><td>${q(b.degradationPct)}</td></tr>`,
  );
  return `<details><summary>Every book (${study.books.length})</summary><table><tr><th>ISBN</th><th>band</th><th>mean weekly sales</th><th>windows</th><th>RMSE</th><th>MAPE %</th><th>degradation %</th></tr>${rows.join('')}</table></details>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:.5em 0;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
.answer{border-left:4px solid #2c3e50;padding:.2em 1em;margin:1em 0;background:#f6f8fa}.plots{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}figcaption{font-size:11px;color:#555}`;

/** The whole page. */
export function renderThresholdReport(study: ThresholdStudyResult, generatedAt: string): string {
  const s = study.settings;
  const b = study.backtest;
  const prod = DEFAULT_THRESHOLDS.production;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>forecast-guard threshold study</title><style>${STYLE}</style></head>
<body>
<h1>Threshold study</h1>
<p>${b.books} books, ${study.fleet.windows} healthy 12-week windows (${s.origins} origins a book, ${s.stepWeeks} weeks apart), ${b.fits} fits (${b.failedFits} failed) in ${(b.fitMs / 1000).toFixed(1)} s; whole study ${(b.totalMs / 1000).toFixed(1)} s. Generated ${esc(generatedAt)}.</p>
<p>Models: ${esc(s.scheme)}. Each window is judged as the hourly health check judges a served model: every check from ${s.checks.minLiveWeeks} to ${s.checks.maxLiveWeeks} live weeks, on the ${s.checks.confidence === null ? 'point figures' : `${s.checks.confidence * 100} % lower confidence bounds`}; a rule that fires at any check counts. Today's production table: RMSE &lt; ${prod.rmseMax}, MAPE &lt; ${prod.mapeMax} %, degradation ≤ ${prod.degradationMaxPct} %.</p>
<h2>The three questions</h2>
${answers(study)}
<h2>Recommended thresholds</h2>
${recommendations(study)}
<h2>RMSE and MAPE per sales band</h2>
${bandTable(study)}
${histograms(study)}
<h2>False alarms and misses per candidate</h2>
<p>Healthy windows as they are (solid); the same windows with a degradation injected (dashed): ${study.injections.map((i) => esc(i.label)).join('; ')}.</p>
<div class="plots">${curves(study)}</div>
<h2>Books</h2>
${bookTable(study)}
</body></html>
`;
}
