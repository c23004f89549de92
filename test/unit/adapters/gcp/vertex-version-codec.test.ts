import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VertexModel } from '../../../../shared/adapters/gcp/vertex-version-codec';
import {
  describeQuarantine,
  forecastSourceOf,
  modelForUpload,
  modelVersionFromVertex,
  quarantineOf,
} from '../../../../shared/adapters/gcp/vertex-version-codec';
import { NewModelVersion } from '../../../../shared/contracts/model';
import { BackendUnavailableError } from '../../../../shared/errors';
import { aForecast, aNewModelVersion, aQuarantine } from '../../../builders/model';

const FIXTURES = join(__dirname, '../../../fixtures/vertex');

/** What GetModel would return for an uploaded Model: the upload plus the fields Vertex sets. */
function asStored(upload: VertexModel, isbn: string, extra: Partial<VertexModel> = {}): VertexModel {
  return {
    ...upload,
    name: `projects/123456789012/locations/europe-west2/models/arima_book_${isbn}`,
    versionId: '3',
    versionAliases: ['production', 'default'],
    versionCreateTime: { seconds: '1714554000', nanos: 0 },
    ...extra,
  };
}

describe('one registry version ↔ one Vertex Model version', () => {
  it('round-trips every field of a registration through the Model message', () => {
    const input = NewModelVersion.parse(aNewModelVersion({ forecast: aForecast({ weeks: 6 }) }));
    const upload = modelForUpload(input);
    expect(upload.displayName).toBe(`arima_book_${input.isbn}`);
    expect(upload.labels).toEqual({ ...input.labels, isbn: input.isbn, app: 'forecast-guard' });

    const { forecast: _artifact, ...registered } = input;
    expect(modelVersionFromVertex(asStored(upload, input.isbn))).toEqual({
      ...registered,
      version: '3',
      aliases: ['default', 'production'],
    });
    expect(forecastSourceOf(asStored(upload, input.isbn))).toEqual({
      version: '3',
      trainedThrough: input.trainedThrough,
      forecast: input.forecast,
    });
  });

  it("uses Vertex's versionCreateTime when the registration gave no createdAt", () => {
    const { createdAt: _none, ...input } = NewModelVersion.parse(aNewModelVersion());
    expect(modelVersionFromVertex(asStored(modelForUpload(input), input.isbn)).createdAt).toBe(
      '2024-05-01T09:00:00.000Z',
    );
  });

  it('sets the artifact URI and serving container only when they are configured', () => {
    const input = NewModelVersion.parse(aNewModelVersion());
    expect(modelForUpload(input)).not.toHaveProperty('containerSpec');
    const real = modelForUpload(input, {
      artifactUriFor: (v) => `gs://models/${v.isbn}/${v.dataHash.slice(7, 15)}`,
      containerImageUri: 'europe-docker.pkg.dev/p/forecast/arima-server:1',
    });
    expect(real.artifactUri).toBe(`gs://models/${input.isbn}/5d41402a`);
    expect(real.containerSpec?.imageUri).toBe('europe-docker.pkg.dev/p/forecast/arima-server:1');
  });

  it('keeps quarantine as JSON in versionDescription, and ignores text that is not ours', () => {
    const mark = aQuarantine();
    expect(quarantineOf(describeQuarantine(mark))).toEqual(mark);
    expect(describeQuarantine(undefined)).toBe('');
    expect(quarantineOf('xgboost, retrained 2024-05-01')).toBeUndefined();
    expect(quarantineOf('{"quarantine": {"reason": ""}}')).toBeUndefined();
    expect(quarantineOf('{not json')).toBeUndefined();
  });

  it('refuses a Model without forecast-guard metadata (the GetModel fixture), naming the version', () => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, 'model.json'), 'utf8')) as {
      response: { body: VertexModel };
    };
    const err = (() => {
      try {
        modelVersionFromVertex(fixture.response.body);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toContain(
      'models/4567890123456789012 version 3 has no forecast-guard metadata',
    );
  });
});
