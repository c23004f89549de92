/**
 * The loaded Config mapped to the settings of the functions that turn
 * outside events into alerts: Cloud Build statuses (build-events) and Vertex
 * AI PipelineJob state changes (pipeline-events). Wiring is the only layer
 * that reads Config; the services see plain values.
 */
import type { Config } from '../config';
import type { BuildEventsSettings } from '../services/build-events';
import type { PipelineEventsSettings } from '../services/pipeline-events';

export function buildEventsSettings(config: Config): BuildEventsSettings {
  return { environment: config.environment };
}

export function pipelineEventsSettings(config: Config): PipelineEventsSettings {
  return { environment: config.environment };
}
