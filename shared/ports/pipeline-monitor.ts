/** PipelineMonitor: training pipeline runs (Vertex AI PipelineJobs, or a SQLite table embedded). */
import type { PipelineRun } from '../contracts/model';

export interface PipelineMonitor {
  /** Most recent runs first. */
  listRuns(options?: { limit?: number; since?: string }): Promise<PipelineRun[]>;
  getRun(id: string): Promise<PipelineRun | undefined>;
  /** Records or updates a run (embedded backend, and tests). */
  recordRun(run: PipelineRun): Promise<void>;
}
