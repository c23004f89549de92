/** What the history views read through, and the settings they judge with. */
import type { Environment } from '../../contracts/primitives';
import type { ThresholdOverrides } from '../../domain/thresholds';
import type { Clock } from '../../ports/clock';
import type { ModelRegistry } from '../../ports/model-registry';
import type { SalesData } from '../../ports/sales-data';
import type { ServingTarget } from '../../ports/serving-target';
import type { StateStore } from '../../ports/state-store';

export interface HistoryPorts {
  state: StateStore;
  registry: ModelRegistry;
  serving: ServingTarget;
  sales: SalesData;
  clock: Clock;
}

export interface HistorySettings {
  environment: Environment;
  /** Per-ISBN threshold overrides (FG_THRESHOLDS_FILE), as the health check applies them. */
  thresholdOverrides: ThresholdOverrides;
}
