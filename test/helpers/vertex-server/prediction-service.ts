/**
 * PredictionService of the local Vertex AI server: Predict routes each
 * request to one deployed model by the Endpoint's traffic split (with the
 * world's random source) and answers every instance from that version's
 * stored forecast — what the real serving container would compute. Explain
 * with `deployed_model_id` answers from the named deployed model (the one v1
 * RPC that overrides the traffic split per request); unlike real Vertex, it
 * needs no explanation spec, and its `explanations` are empty.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { forecastSourceOf } from '../../../shared/adapters/gcp/vertex-version-codec';
import { fromProtoValue, toProtoValue } from '../../../shared/adapters/gcp/vertex-values';
import type { ForecastSource } from '../../../shared/domain/predict';
import { answerInstances, validateInstances } from '../../../shared/domain/predict';
import { pickByTraffic } from '../../../shared/domain/traffic';
import { ValidationError } from '../../../shared/errors';
import { modelView } from './model-service';
import type { Message } from './rpc';
import { conflict, invalid, notFound, parseName, unary } from './rpc';
import type { DeployedModelRecord, EndpointRecord, VersionRecord, VertexWorld } from './world';

// A version's metadata is immutable on Vertex, so its parsed forecast is read once per version.
const sources = new WeakMap<VersionRecord, ForecastSource>();

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

/** Predictions of one deployed model for raw instances, as protobuf Values. */
function answer(world: VertexWorld, deployed: DeployedModelRecord, rawInstances: unknown): Message {
  const instances = ((rawInstances as unknown[] | undefined) ?? []).map((v) => fromProtoValue(v as never));
  if (instances.length === 0) throw invalid('instances is required.');
  const model = world.model(deployed.model);
  const version = model.versions.find((v) => v.versionId === deployed.modelVersionId);
  if (!version) throw notFound(`Model ${deployed.model}@${deployed.modelVersionId} not found.`);
  let source = sources.get(version);
  if (!source) {
    source = forecastSourceOf(modelView(world, model, version));
    sources.set(version, source);
  }
  try {
    const parsed = validateInstances(instances, source.forecast.mean.length);
    return {
      predictions: answerInstances(parsed, source).map((p) => toProtoValue(p)),
      deployedModelId: deployed.id,
      model: deployed.model,
      modelVersionId: deployed.modelVersionId,
      modelDisplayName: model.displayName,
    };
  } catch (err) {
    // The serving container's own 400: the message names the instance and field.
    if (err instanceof ValidationError) throw invalid(err.message);
    throw err;
  }
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
    const { predictions, deployedModelId } = answer(world, deployed, request.instances);
    return { explanations: [], deployedModelId, predictions };
  };

  return { Predict: unary(predict), Explain: unary(explain) };
}
