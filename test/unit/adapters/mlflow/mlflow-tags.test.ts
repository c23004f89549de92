import fc from 'fast-check';
import { NewModelVersion } from '../../../../shared/contracts/model';
import type { MlflowModelVersion } from '../../../../shared/adapters/mlflow/mlflow-schemas';
import { MlflowModelVersion as MlflowModelVersionSchema } from '../../../../shared/adapters/mlflow/mlflow-schemas';
import {
  asciiJson,
  jsonTagKeys,
  jsonTags,
  readForecast,
  readJsonTag,
  tagMap,
  toModelVersion,
  versionTags,
} from '../../../../shared/adapters/mlflow/mlflow-tags';
import { BackendUnavailableError, ValidationError } from '../../../../shared/errors';
import { aForecast, aNewModelVersion } from '../../../builders/model';

const NAME = 'arima_book_9780722532935';

/** What MLflow answers for a version created with `tags`. */
function asMlflow(
  tags: Array<{ key: string; value: string }>,
  extra: Record<string, unknown> = {},
): MlflowModelVersion {
  return MlflowModelVersionSchema.parse({
    name: NAME,
    version: '4',
    creation_timestamp: 1714557600000,
    tags,
    ...extra,
  });
}

describe('JSON tags and chunking', () => {
  it('keeps a value that fits in one tag, and splits a longer one into ordered chunks', () => {
    expect(jsonTags('fg.forecast', { mean: [1] }, 100)).toEqual([
      { key: 'fg.forecast', value: '{"mean":[1]}' },
    ]);

    const forecast = aForecast({ weeks: 104 });
    const tags = jsonTags('fg.forecast', forecast, 500);
    const count = Number(tags.find((t) => t.key === 'fg.forecast.chunks')?.value);
    expect(count).toBe(Math.ceil(asciiJson(forecast).length / 500));
    expect(tags.filter((t) => /^fg\.forecast\.[0-9]+$/.test(t.key))).toHaveLength(count);
    expect(tags.every((t) => t.value.length <= 500)).toBe(true);
    expect(readJsonTag(tagMap(tags), 'fg.forecast', 'v4')).toEqual(forecast);
    expect(jsonTagKeys('fg.forecast', tagMap(tags)).sort()).toEqual(tags.map((t) => t.key).sort());
  });

  it('round-trips any JSON value at any cap, non-ASCII text included', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ stringUnit: 'binary' }),
        fc.integer({ min: 8, max: 8000 }),
        (value, limit) => {
          const tags = jsonTags('fg.params', value, limit);
          expect(tags.every((t) => t.value.length <= limit && /^[\x00-\x7f]*$/.test(t.value))).toBe(true);
          expect(readJsonTag(tagMap(tags), 'fg.params', 'v1')).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('names a missing chunk as a non-retryable backend fault', () => {
    const tags = tagMap(jsonTags('fg.forecast', aForecast(), 300));
    tags.delete('fg.forecast.2');
    const err = (() => {
      try {
        return readJsonTag(tags, 'fg.forecast', `${NAME} version 4`);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toMatch(/arima_book_9780722532935 version 4 .*fg\.forecast\.2 is missing/);
  });
});

describe('version tags', () => {
  it('writes one tag per metric and label, and reads the same version back', () => {
    const input = NewModelVersion.parse(aNewModelVersion({ isbn: '9780722532935' }));
    const tags = versionTags(input, 5000);
    const byKey = tagMap(tags);
    expect(byKey.get('fg.schema')).toBe('1');
    expect(byKey.get('fg.metrics.rmse')).toBe('42.5');
    expect(byKey.get('fg.metrics.holdoutWeeks')).toBe('32');
    expect(byKey.get('fg.labels.trainer')).toBe('builder');
    expect(byKey.get('fg.data_hash')).toBe(input.dataHash);
    expect(byKey.get('fg.created_at')).toBe(input.createdAt);

    const { forecast, ...meta } = input;
    const mv = asMlflow(tags);
    expect(toModelVersion('9780722532935', mv, ['production', 'challenger'])).toEqual({
      ...meta,
      version: '4',
      aliases: ['challenger', 'production'],
    });
    expect(readForecast(mv)).toEqual(forecast);
  });

  it('takes createdAt from creation_timestamp, string or number, when the registration gave none', () => {
    const { createdAt: _none, ...rest } = aNewModelVersion({ isbn: '9780722532935' });
    const tags = versionTags(NewModelVersion.parse(rest), 5000);
    for (const stamp of [1714557600000, '1714557600000']) {
      const version = toModelVersion('9780722532935', asMlflow(tags, { creation_timestamp: stamp }), []);
      expect(version?.createdAt).toBe('2024-05-01T10:00:00.000Z');
    }
  });

  it('leaves out versions forecast-guard did not register', () => {
    expect(
      toModelVersion('9780722532935', asMlflow([{ key: 'validated', value: 'true' }]), []),
    ).toBeUndefined();
    expect(readForecast(asMlflow([]))).toBeUndefined();
  });

  it('names labels MLflow cannot hold as tags', () => {
    const input = NewModelVersion.parse(
      aNewModelVersion({ labels: { 'team/owner': 'x', ok: 'y'.repeat(51) } }),
    );
    const err = (() => {
      try {
        return versionTags(input, 50);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual(['labels.team/owner', 'labels.ok']);
    expect((err as Error).message).toContain('labels.ok: must be at most 50 characters');
  });

  it('reports tags edited into nonsense as a non-retryable fault naming the field', () => {
    const tags = versionTags(NewModelVersion.parse(aNewModelVersion()), 5000).map((t) =>
      t.key === 'fg.metrics.rmse' ? { ...t, value: 'high' } : t,
    );
    expect(() => toModelVersion('9780722532935', asMlflow(tags), [])).toThrow(
      /arima_book_9780722532935 version 4 has malformed forecast-guard tags: metrics\.rmse/,
    );
  });
});
