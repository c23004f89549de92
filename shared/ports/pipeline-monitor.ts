/** PipelineMonitor: training pipeline runs (Vertex AI PipelineJobs, or a SQLite table embedded). */
import type { PipelineRun, PipelineRunInput } from '../contracts/model';

export interface PipelineMonitor {
  /**
   * Most recent runs first, by start time (a run not started yet by when it
   * was created). `since` keeps runs at or after that instant; `limit`
   * (1–1000, default 50) caps the count.
   */
  listRuns(options?: { limit?: number; since?: string }): Promise<PipelineRun[]>;
  getRun(id: string): Promise<PipelineRun | undefined>;
  /**
   * Records or updates a run (embedded backend, and tests). On update, fields
   * left out keep their stored values and `registered` only grows.
   * Bad run → ValidationError naming the field.
   */
  recordRun(run: PipelineRunInput): Promise<void>;
}
