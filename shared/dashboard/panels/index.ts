/** The dashboard's panels, in page order after the book chart (see panel.ts). */
import type { Panel } from './panel';

export const PANELS: readonly Panel[] = [];
