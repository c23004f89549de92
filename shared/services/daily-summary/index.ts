/** daily-summary: the day's digest of warnings, fleet health and open criticals. */
export { runDailySummary, type DailySummaryContext, type DailySummaryResult } from './daily-summary';
export { collectSummaryInputs, type SummaryInputs } from './collect';
export { dayWindow, type DayWindow } from '../../domain/alerting/digest';
