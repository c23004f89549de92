import {
  rankVersions,
  rowOfDeployed,
  rowOfVersion,
} from '../../../../shared/adapters/gcp/vertex-book-versions';
import { mlflowVersionFor } from '../../../../shared/adapters/gcp/vertex-mlflow-versions';
import { awaitOperation, deployedModelIdFor } from '../../../../shared/adapters/gcp/vertex-operations';
import { isoToTimestamp } from '../../../../shared/adapters/gcp/vertex-values';
import { BackendUnavailableError } from '../../../../shared/errors';
import { loadFixture } from '../../../helpers/gcp-fixtures';

const ISBN = '9780722532935';
const LOC = 'projects/123456789012/locations/europe-west2';
const at = (iso: string) => isoToTimestamp(iso);
/** A pipeline upload: a Model of its own, versionId "1". */
const upload = (id: string, created: string) => ({
  name: `${LOC}/models/${id}`,
  versionId: '1',
  versionCreateTime: at(created),
  versionAliases: ['default'],
});

describe('numbering the versions of a book on Vertex AI', () => {
  it("keeps forecast-guard's Model's own versionIds when the book has only that Model (gaps included)", () => {
    const own = ['1', '2', '4'].map((v) => ({
      name: `${LOC}/models/arima_book_${ISBN}`,
      versionId: v,
      versionCreateTime: at('2024-01-01T00:00:00Z'),
    }));
    expect(rankVersions(ISBN, own).map((r) => [r.version, r.versionId, r.own])).toEqual([
      ['1', '1', true],
      ['2', '2', true],
      ['4', '4', true],
    ]);
  });

  it('ranks display-name twins by creation time, then name: the oldest upload is 1, a new one the next number', () => {
    const twins = [
      upload('9000000000000000003', '2025-08-31T15:02:11.548213Z'),
      upload('1000000000000000009', '2025-08-24T15:02:11.548213Z'),
      upload('5000000000000000001', '2025-08-31T15:02:11.548213Z'),
    ];
    const rows = rankVersions(ISBN, twins);
    expect(rows.map((r) => [r.version, r.model.split('/').pop()])).toEqual([
      ['1', '1000000000000000009'],
      ['2', '5000000000000000001'],
      ['3', '9000000000000000003'],
    ]);
    const later = rankVersions(ISBN, [...twins, upload('2000000000000000000', '2025-09-07T15:00:00Z')]);
    expect(later.slice(0, 3)).toEqual(rows);
    expect(later[3]!.version).toBe('4');
  });

  it('attributes a deployed Model by its id, whatever project form the name carries', () => {
    const rows = rankVersions(ISBN, [
      upload('111', '2025-01-01T00:00:00Z'),
      upload('222', '2025-02-01T00:00:00Z'),
    ]);
    expect(rowOfDeployed(rows, 'projects/my-project/locations/europe-west2/models/222', '1')?.version).toBe(
      '2',
    );
    expect(rowOfDeployed(rows, `${LOC}/models/222@1`, '1')?.version).toBe('2');
    expect(rowOfDeployed(rows, `${LOC}/models/333`, '1')).toBeUndefined();
    expect(rowOfVersion(rows, '1')?.model).toBe(`${LOC}/models/111`);
  });
});

describe('which MLflow version a Vertex Model serves', () => {
  const model = loadFixture<{ response: { body: { createTime: string; labels: Record<string, string> } } }>(
    '9-publisher-pipeline/vertex.model.json',
  ).response.body;
  const mlflow = [
    { version: '1', createdAt: '2025-08-10T09:00:00Z' },
    { version: '2', createdAt: '2025-08-24T14:55:00Z' },
    { version: '3', createdAt: '2025-08-24T15:30:00Z' },
  ];

  it('is the newest MLflow version created at or before the Model (the fixture Model: version 2)', () => {
    expect(model.createTime).toBe('2025-08-24T15:02:11.548213Z');
    expect(mlflowVersionFor({ createTime: at(model.createTime), labels: model.labels }, mlflow)).toBe('2');
    expect(mlflowVersionFor({ createTime: at('2025-08-24T14:55:00Z') }, mlflow)).toBe('2');
    expect(mlflowVersionFor({ createTime: at('2025-08-01T00:00:00Z') }, mlflow)).toBeUndefined();
  });

  it('is what a mlflow_version label says, when it names a version that exists', () => {
    expect(
      mlflowVersionFor({ createTime: at(model.createTime), labels: { mlflow_version: '1' } }, mlflow),
    ).toBe('1');
    expect(
      mlflowVersionFor({ createTime: at(model.createTime), labels: { mlflow_version: '9' } }, mlflow),
    ).toBe('2');
  });
});

describe('idempotent deployments and bounded operations', () => {
  it('derives one 10-digit DeployedModel id per Model version, the same from a project id or number', () => {
    const a = deployedModelIdFor(`${LOC}/models/6677889900112233445`, '1');
    expect(a).toMatch(/^[1-9][0-9]{9}$/);
    expect(
      deployedModelIdFor('projects/my-project/locations/europe-west2/models/6677889900112233445@1', '1'),
    ).toBe(a);
    expect(deployedModelIdFor(`${LOC}/models/6677889900112233445`, '2')).not.toBe(a);
    expect(deployedModelIdFor(`${LOC}/models/arima_book_${ISBN}`, '1')).not.toBe(a);
  });

  it('stops waiting for a long-running operation at its bound, with a retryable error naming it', async () => {
    const never = {
      name: 'projects/p/locations/l/operations/42',
      promise: () => new Promise<never>(() => undefined),
    };
    const err = await awaitOperation(never, 'deploying m@1', 20).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(true);
    expect((err as Error).message).toMatch(
      /deploying m@1 did not finish within 0 s \(operation projects\/p\/locations\/l\/operations\/42\)/,
    );
    await expect(awaitOperation({ promise: async () => 'done' }, 'x', 1000)).resolves.toBe('done');
  });
});
