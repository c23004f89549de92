/**
 * The time chart the history panels draw with, as page script (plain ES2017,
 * SVG built with the page's `svg()`, text only through textContent). Each
 * panel inlines it inside its own function scope, so nothing leaks into the
 * page's globals and other panels may define their own helpers freely.
 *
 * `timeChart(spec)` takes a spec of plain data:
 * - `x0`, `x1`: the time span (ms); `yMax`; `width`, `height`; `label` (aria);
 * - `lines`: [{ points: [[ms, value]], color, dash, cls }];
 * - `steps`: horizontal segments [{ from, to, y, color, dash, cls, title }] (limits that change with the version);
 * - `hlines`: [{ y, color, dash, label, cls }] across the chart;
 * - `vlines`: [{ x, color, label, cls, kind, title }] (markers);
 * - `dots`: [{ x, y, color, cls, title, at }];
 * - `bands`: [{ upper: [[ms, v]], lower: [[ms, v]], color }].
 */
export const HISTORY_CHART_SCRIPT = String.raw`
function fmtTime(ms, span) {
  var iso = new Date(ms).toISOString();
  return span < 3 * 86400000 ? iso.slice(5, 16).replace('T', ' ') : iso.slice(0, 10);
}
function timeChart(spec) {
  var W = spec.width || 960, H = spec.height || 220, L = 52, R = 70, T = 18, B = 26;
  var span = Math.max(1, spec.x1 - spec.x0);
  var yMax = spec.yMax > 0 ? spec.yMax : 1;
  var x = function (ms) { return L + ((ms - spec.x0) / span) * (W - L - R); };
  var y = function (v) { return T + (1 - Math.min(v, yMax) / yMax) * (H - T - B); };
  var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': spec.label || 'chart' });
  for (var i = 0; i <= 4; i++) {
    var v = (yMax / 4) * i;
    root.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eaeef2' }));
    var t = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#57606a' });
    t.textContent = v >= 10 ? Math.round(v) : v.toFixed(1);
    root.appendChild(t);
  }
  for (var j = 0; j <= 4; j++) {
    var ms = spec.x0 + (span / 4) * j;
    var lab = svg('text', { x: x(ms), y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#57606a' });
    lab.textContent = fmtTime(ms, span);
    root.appendChild(lab);
  }
  (spec.bands || []).forEach(function (b) {
    if (b.upper.length < 2) return;
    var pts = b.upper.map(function (p) { return x(p[0]) + ',' + y(p[1]); })
      .concat(b.lower.slice().reverse().map(function (p) { return x(p[0]) + ',' + y(p[1]); }));
    root.appendChild(svg('polygon', { points: pts.join(' '), fill: b.color, 'fill-opacity': '0.12' }));
  });
  (spec.hlines || []).forEach(function (h) {
    if (h.y === null || h.y === undefined || h.y > yMax) return;
    var attrs = { x1: L, x2: W - R, y1: y(h.y), y2: y(h.y), stroke: h.color, 'stroke-width': 1.5, class: h.cls || '' };
    if (h.dash) attrs['stroke-dasharray'] = h.dash;
    root.appendChild(svg('line', attrs));
    var t = svg('text', { x: W - R + 4, y: y(h.y) + 4, 'font-size': 11, fill: h.color });
    t.textContent = h.label;
    root.appendChild(t);
  });
  (spec.steps || []).forEach(function (s) {
    if (s.y === null || s.y === undefined || s.y > yMax) return;
    var attrs = { x1: x(s.from), x2: x(s.to), y1: y(s.y), y2: y(s.y), stroke: s.color, 'stroke-width': 1.5, class: s.cls || '' };
    if (s.dash) attrs['stroke-dasharray'] = s.dash;
    var seg = svg('line', attrs);
    if (s.title) { var st = svg('title', {}); st.textContent = s.title; seg.appendChild(st); }
    root.appendChild(seg);
  });
  (spec.vlines || []).forEach(function (m, k) {
    var line = svg('line', { x1: x(m.x), x2: x(m.x), y1: T - 6, y2: H - B, stroke: m.color, 'stroke-width': 1.5,
      'stroke-dasharray': '3 3', class: m.cls || '', 'data-kind': m.kind || '' });
    var mt = svg('title', {}); mt.textContent = m.title || m.label; line.appendChild(mt);
    root.appendChild(line);
    var t = svg('text', { x: x(m.x) + 3, y: T - 6 + (k % 2) * 11 + 4, 'font-size': 10, fill: m.color });
    t.textContent = m.label;
    root.appendChild(t);
  });
  (spec.lines || []).forEach(function (l) {
    if (l.points.length < 1) return;
    var attrs = { points: l.points.map(function (p) { return x(p[0]) + ',' + y(p[1]); }).join(' '),
      fill: 'none', stroke: l.color, 'stroke-width': 2, class: l.cls || '' };
    if (l.dash) attrs['stroke-dasharray'] = l.dash;
    root.appendChild(svg('polyline', attrs));
  });
  (spec.dots || []).forEach(function (d) {
    var c = svg('circle', { cx: x(d.x), cy: y(d.y), r: 3.5, fill: d.color, class: d.cls || '', 'data-at': d.at || '' });
    if (d.title) { var dt = svg('title', {}); dt.textContent = d.title; c.appendChild(dt); }
    root.appendChild(c);
  });
  return root;
}
var STATUS_COLOURS = { healthy: '#1a7f37', degraded: '#9a6700', unhealthy: '#cf222e' };
`;
