/**
 * PredictionService of the local Vertex AI server: Predict routes each
 * request to one deployed model by the Endpoint's traffic split (with the
 * world's random source). A version forecast-guard uploaded (its metadata
 * carries the forecast) answers every instance from that stored forecast; a
 * Model the publisher's pipeline uploaded answers as its serving container
 * does (container.ts), failed instances included. Explain with
 * `deployed_model_id` answers from the named deployed model — but, as on
 * Vertex, only when that DeployedModel (or its Model) has an explanation
 * spec; without one it is FAILED_PRECONDITION "Deployed model <id> does not
 * support explanation." (prediction_service.proto, rpc Explain; the verbatim
 * text is in 10-vertex-limits/explain-without-spec.error.json). Its
 * `explanations` are empty.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { forecastSourceOf } from '../../../shared/adapters/gcp/vertex-version-codec';
import { fromProtoValue, toProtoValue } from '../../../shared/adapters/gcp/vertex-values';
import type { ForecastSource } from '../../../shared/domain/predict';
import { answerInstances, validateInstances } from '../../../shared/domain/predict';
import { pickByTraffic } from '../../../shared/domain/traffic';
import { ValidationError } from '../../../shared/errors';
import type { ContainerBehaviour } from './container';
import { containerPredictions, defaultBehaviour } from './container';
import { modelView } from './model-service';
import type { Message } from './rpc';
import { conflict, invalid, notFound, parseName, unary } from './rpc';
import type { DeployedModelRecord, EndpointRecord, ModelRecord, VersionRecord, VertexWorld } from './world';

// A version's metadata is immutable on Vertex, so its parsed forecast is read once per version.
const sources = new WeakMap<VersionRecord, ForecastSource | 'container'>();

function routed(world: VertexWorld, endpoint: EndpointRecord): DeployedModelRecord {
  const shares = Object.entries(endpoint.trafficSplit).map(([id, trafficPercent]) => ({
    version: id,
    trafficPercent,
  }));
  const id = pickByTraffic(shares, world.random);
  const deployed = endpoint.deployedModels.find((d) => d.id === id);
  if (!deployed)
    throw conflict(
      `Endpoint ${endpoint.name} has no traffic: deploy a model with a share of the traffic split.`,
    );
  return deployed;
}

/** How a version answers: from forecast-guard's stored forecast, or as the pipeline's container. */
function sourceOf(
  world: VertexWorld,
  model: ModelRecord,
  version: VersionRecord,
): ForecastSource | 'container' {
  let source = sources.get(version);
  if (!source) {
    try {
      source = forecastSourceOf(modelView(world, model, version));
    } catch {
      source = 'container';
    }
    sources.set(version, source);
  }
  return source;
}

/** The container's behaviour for a Model: the test's choice when seeding, else a steady default. */
function behaviourOf(world: VertexWorld, model: ModelRecord, version: VersionRecord): ContainerBehaviour {
  return world.containers.get(model.name) ?? defaultBehaviour(version.labels.isbn ?? null);
}

/** Predictions of one deployed model for raw instances, as protobuf Values. */
function answer(world: VertexWorld, deployed: DeployedModelRecord, rawInstances: unknown): Message {
  const instances = ((rawInstances as unknown[] | undefined) ?? []).map((v) => fromProtoValue(v as never));
  if (instances.length === 0) throw invalid('instances is required.');
  const model = world.model(deployed.model);
  const version = model.versions.find((v) => v.versionId === deployed.modelVersionId);
  if (!version) throw notFound(`Model ${deployed.model}@${deployed.modelVersionId} not found.`);
  const envelope = {
    deployedModelId: deployed.id,
    model: deployed.model,
    modelVersionId: deployed.modelVersionId,
    modelDisplayName: model.displayName,
  };
  const source = sourceOf(world, model, version);
  if (source === 'container') {
    // The predictor names itself after the MLflow model it loaded: arima_book_<ISBN>.
    const isbn = version.labels.isbn ?? null;
    const predictions = containerPredictions(instances, behaviourOf(world, model, version), {
      modelName: isbn ? `arima_book_${isbn}` : model.displayName,
      isbn,
    });
    return { predictions: predictions.map((p) => toProtoValue(p as never)), ...envelope };
  }
  try {
    const parsed = validateInstances(instances, source.forecast.mean.length);
    return { predictions: answerInstances(parsed, source).map((p) => toProtoValue(p)), ...envelope };
  } catch (err) {
    // The serving container's own 400: the message names the instance and field.
    if (err instanceof ValidationError) throw invalid(err.message);
    throw err;
  }
}

/** True when the deployed model can explain: its own explanation spec, or its Model's. */
function explainable(world: VertexWorld, deployed: DeployedModelRecord): boolean {
  if (deployed.explanationSpec) return true;
  const model = world.models.get(deployed.model);
  const version = model?.versions.find((v) => v.versionId === deployed.modelVersionId);
  return Boolean(version?.uploaded.explanationSpec);
}

function requireExplainable(world: VertexWorld, deployed: DeployedModelRecord): void {
  if (world.explainNeedsSpec && !explainable(world, deployed))
    throw conflict(`Deployed model ${deployed.id} does not support explanation.`);
}

export function predictionService(world: VertexWorld): UntypedServiceImplementation {
  const predict = (request: Message) => {
    const endpoint = world.endpoint(parseName(request.endpoint, 'endpoints').resource);
    return answer(world, routed(world, endpoint), request.instances);
  };

  const explain = (request: Message) => {
    const endpoint = world.endpoint(parseName(request.endpoint, 'endpoints').resource);
    const id = String(request.deployedModelId ?? '');
    const deployed = id === '' ? routed(world, endpoint) : endpoint.deployedModels.find((d) => d.id === id);
    if (!deployed) throw notFound(`DeployedModel ${id} not found on ${endpoint.name}.`);
    // Without a deployed_model_id every DeployedModel must be able to explain (proto comment).
    const needed = id === '' ? endpoint.deployedModels : [deployed];
    needed.forEach((d) => requireExplainable(world, d));
    const { predictions, deployedModelId } = answer(world, deployed, request.instances);
    return { explanations: [], deployedModelId, predictions };
  };

  return { Predict: unary(predict), Explain: unary(explain) };
}
