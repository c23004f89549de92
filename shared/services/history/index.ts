/** The metric history's read side: one book's trend, two versions compared, the fleet over time (docs/trends.md). */
export {
  bookTrend,
  readPoints,
  type BookTrend,
  type TrendMarker,
  type TrendPoint,
  type TrendWeek,
} from './book-trend';
export { fleetTrend, type FleetRun, type FleetTrend } from './fleet-trend';
export type { HistoryPorts, HistorySettings } from './ports';
export {
  compareBookVersions,
  pickVersions,
  type VersionComparison,
  type VersionSide,
} from './version-comparison';
