/** The dashboard's panels, in page order after the book chart (see panel.ts). */
import { FLEET_TREND_PANEL } from './fleet-trend';
import type { Panel } from './panel';
import { TRENDS_PANEL } from './trends';
import { VERSION_COMPARE_PANEL } from './version-compare';

export const PANELS: readonly Panel[] = [TRENDS_PANEL, VERSION_COMPARE_PANEL, FLEET_TREND_PANEL];
