/** The dashboard's panels, in page order after the book chart (see panel.ts). */
import { COST_PANEL } from './cost';
import { DRIFT_PANEL } from './drift';
import { FLEET_TREND_PANEL } from './fleet-trend';
import type { Panel } from './panel';
import { TRENDS_PANEL } from './trends';
import { VERSION_COMPARE_PANEL } from './version-compare';
import { watchPanel } from './watch';

export const PANELS: readonly Panel[] = [
  TRENDS_PANEL,
  VERSION_COMPARE_PANEL,
  DRIFT_PANEL,
  FLEET_TREND_PANEL,
  COST_PANEL,
  watchPanel,
];
