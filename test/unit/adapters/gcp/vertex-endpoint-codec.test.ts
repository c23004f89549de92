import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VertexEndpoint } from '../../../../shared/adapters/gcp/vertex-endpoint-codec';
import {
  deployedVersions,
  predictResponseFrom,
  servingStateFrom,
  vertexTrafficSplit,
} from '../../../../shared/adapters/gcp/vertex-endpoint-codec';
import { toProtoValue } from '../../../../shared/adapters/gcp/vertex-values';
import { BackendUnavailableError } from '../../../../shared/errors';
import { isbnFor } from '../../../builders/model';

const FIXTURES = join(__dirname, '../../../fixtures/vertex');
const fixture = <T>(file: string) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;
const MODEL_ID = '4567890123456789012';

describe('one Vertex Endpoint ↔ ServingState', () => {
  const endpoint = fixture<{ response: { body: VertexEndpoint } }>('endpoint.json').response.body;

  it('reads versions and percents from deployedModels and trafficSplit (the GetEndpoint fixture)', () => {
    const isbn = isbnFor(1);
    expect(servingStateFrom(isbn, endpoint, MODEL_ID)).toEqual({
      isbn,
      deployments: [
        { version: '2', trafficPercent: 10, deployedModelId: '9988776655443322110' },
        { version: '3', trafficPercent: 90, deployedModelId: '1122334455667788990' },
      ],
      updatedAt: '2024-05-01T11:15:00.000000Z',
    });
  });

  it('ignores DeployedModels of other Models, and gives unlisted ones 0 %', () => {
    const mixed: VertexEndpoint = {
      ...endpoint,
      deployedModels: [
        ...(endpoint.deployedModels ?? []),
        { id: '55', model: 'projects/p/locations/l/models/churn@1', modelVersionId: '1' },
        { id: '56', model: `projects/p/locations/l/models/${MODEL_ID}@4`, modelVersionId: '4' },
      ],
    };
    expect([...deployedVersions(mixed, MODEL_ID)]).toEqual([
      ['3', '1122334455667788990'],
      ['2', '9988776655443322110'],
      ['4', '56'],
    ]);
    expect(
      servingStateFrom(isbnFor(1), mixed, MODEL_ID).deployments.map((d) => [d.version, d.trafficPercent]),
    ).toEqual([
      ['2', 10],
      ['3', 90],
      ['4', 0],
    ]);
  });

  it('writes a split keyed by DeployedModel id, "0" for the version being deployed, 0 % left out', () => {
    const deployed = new Map([
      ['2', '9988776655443322110'],
      ['3', '1122334455667788990'],
    ]);
    const shares = [
      { version: '2', trafficPercent: 0 },
      { version: '3', trafficPercent: 10 },
      { version: '4', trafficPercent: 90 },
    ];
    expect(vertexTrafficSplit(shares, deployed, '4')).toEqual({ '1122334455667788990': 10, '0': 90 });
    expect(() => vertexTrafficSplit(shares, deployed)).toThrow(/version 4 is neither deployed/);
  });
});

describe('prediction responses', () => {
  it('maps forecast predictions and names which deployed model and version answered', () => {
    const prediction = { forecast: [1.5, 2], model_version: '3', weeks: ['2024-05-04', '2024-05-11'] };
    expect(predictResponseFrom([toProtoValue(prediction)], '11', '3')).toEqual({
      predictions: [prediction],
      deployedModelId: '11',
      modelVersionId: '3',
    });
  });

  it("refuses predictions that are not forecasts (the Predict fixture's fraud scores)", () => {
    const body = fixture<{ response: { body: { predictions: number[]; deployedModelId: string } } }>(
      'endpoints.predict.json',
    ).response.body;
    const err = (() => {
      try {
        predictResponseFrom(
          body.predictions.map((p) => toProtoValue(p)),
          body.deployedModelId,
          '3',
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain(
      'prediction 0 from deployed model 1122334455667788990 is not a forecast',
    );
  });
});
