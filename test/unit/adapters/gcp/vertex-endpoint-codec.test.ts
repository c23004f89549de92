import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VertexEndpoint } from '../../../../shared/adapters/gcp/vertex-endpoint-codec';
import type { VertexVersionRow } from '../../../../shared/adapters/gcp/vertex-book-versions';
import {
  deployedVersions,
  hasUnknownDeployment,
  servingStateFrom,
  vertexTrafficSplit,
} from '../../../../shared/adapters/gcp/vertex-endpoint-codec';
import { isbnFor } from '../../../builders/model';

const FIXTURES = join(__dirname, '../../../fixtures/vertex');
const fixture = <T>(file: string) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;
const MODEL_ID = '4567890123456789012';
/** The book's versions 1–4 in that Model (the name as sent, with the project id: Vertex answers with the number). */
const ROWS: VertexVersionRow[] = ['1', '2', '3', '4'].map((v) => ({
  version: v,
  model: `projects/my-project/locations/us-central1/models/${MODEL_ID}`,
  versionId: v,
  createTime: '2024-04-01T00:00:00Z',
  aliases: [],
  own: false,
}));
const modelRef = (v: string) => `projects/123456789012/locations/us-central1/models/${MODEL_ID}@${v}`;

describe('one Vertex Endpoint ↔ ServingState', () => {
  const endpoint = fixture<{ response: { body: VertexEndpoint } }>('endpoint.json').response.body;

  it('reads versions, percents and machine and replicas from deployedModels and trafficSplit (the GetEndpoint fixture)', () => {
    const isbn = isbnFor(1);
    const resources = { machineType: 'n1-standard-4', minReplicas: 1, maxReplicas: 2 };
    expect(servingStateFrom(isbn, endpoint, ROWS)).toEqual({
      isbn,
      endpoint: 'projects/123456789012/locations/us-central1/endpoints/7890123456789012345',
      deployments: [
        {
          version: '2',
          trafficPercent: 10,
          deployedModelId: '9988776655443322110',
          model: modelRef('2'),
          ...resources,
        },
        {
          version: '3',
          trafficPercent: 90,
          deployedModelId: '1122334455667788990',
          model: modelRef('3'),
          ...resources,
        },
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
    expect([...deployedVersions(mixed, ROWS)].map(([v, d]) => [v, d.id])).toEqual([
      ['3', '1122334455667788990'],
      ['2', '9988776655443322110'],
      ['4', '56'],
    ]);
    expect(hasUnknownDeployment(mixed, ROWS)).toBe(true);
    expect(hasUnknownDeployment(endpoint, ROWS)).toBe(false);
    expect(
      servingStateFrom(isbnFor(1), mixed, ROWS).deployments.map((d) => [d.version, d.trafficPercent]),
    ).toEqual([
      ['2', 10],
      ['3', 90],
      ['4', 0],
    ]);
  });

  it('writes a split keyed by DeployedModel id, "0" for the version being deployed, 0 % left out', () => {
    const deployed = new Map([
      ['2', { id: '9988776655443322110' }],
      ['3', { id: '1122334455667788990' }],
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
