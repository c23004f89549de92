/** The dashboard's panels, in page order after the book chart (see panel.ts). */
import { COST_PANEL } from './cost';
import { DRIFT_PANEL } from './drift';
import type { Panel } from './panel';
import { watchPanel } from './watch';

export const PANELS: readonly Panel[] = [DRIFT_PANEL, COST_PANEL, watchPanel];
