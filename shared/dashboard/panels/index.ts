/** The dashboard's panels, in page order after the book chart (see panel.ts). */
import type { Panel } from './panel';
import { watchPanel } from './watch';

export const PANELS: readonly Panel[] = [watchPanel];
