/** daily-summary: the day's digest of warnings, fleet health and open criticals. */
export { runDailySummary, type DailySummaryContext, type DailySummaryResult } from './daily-summary';
export { dayWindow, collectSummaryInputs, type DayWindow, type SummaryInputs } from './collect';
