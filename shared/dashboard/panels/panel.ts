/**
 * A dashboard panel: one section of the page (markup, style, script) and the
 * read-only JSON routes it polls. Panels keep each view in its own file, so
 * the page grows by adding a panel to `PANELS` (index.ts), not by editing the
 * page or the server.
 *
 * Script contract (plain ES2017, inlined after the page's own script, so its
 * helpers `$`, `el`, `svg`, `num`, `when`, `pill`, `fill`, `getJson` are in
 * scope): a panel registers callbacks with
 * - `onFleet(function (fleet) {...})`: after every poll, with `/api/fleet`'s answer;
 * - `onBook(function (isbn) {...})`: after every poll, with the selected book (null before one is known).
 * Callbacks run on every poll (3 s); a panel that draws something costly
 * remembers what it last drew and redraws only on a change.
 */
import type { ViewPorts } from '../views';

/** What a route reads with: the backend's ports, the title cache, and the dashboard's settings. */
export interface PanelContext {
  ports: ViewPorts;
  titles: Map<string, string>;
  /** Base of runbook links (FG_RUNBOOK_BASE_URL); `docs/runbooks/` when absent. */
  runbookBaseUrl?: string;
}

export interface PanelRoute {
  /** A GET path, matched against the whole pathname, e.g. /^\/api\/books\/([^/]+)\/trend$/. */
  path: RegExp;
  /** The view-cache key of one answer (same key, same answer within the cache's second). */
  key(match: RegExpExecArray, url: URL): string;
  read(context: PanelContext, match: RegExpExecArray, url: URL): Promise<unknown>;
}

export interface Panel {
  /** The section's element id; unique on the page. */
  id: string;
  /** One `<section id="…">` (its id equals `id`). */
  markup: string;
  style?: string;
  script?: string;
  routes?: readonly PanelRoute[];
}
