import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerInstance, predictionsFrom } from '../../../../shared/adapters/gcp/vertex-container-codec';
import { BackendUnavailableError } from '../../../../shared/errors';
import { loadFixture } from '../../../helpers/gcp-fixtures';

interface PredictFixture {
  request: { body: { instances: unknown[] } };
  response: { body: { predictions: unknown[]; deployedModelId: string; modelVersionId: string } };
}

const fixture = loadFixture<PredictFixture>('9-publisher-pipeline/predictor.predict.json');
const body = fixture.response.body;
/** A Saturday: the pipeline's file ends its weeks on Saturdays. */
const TRAINED_THROUGH = '2024-06-29';
const answerer = (trainedThrough: string | undefined = TRAINED_THROUGH) => ({
  deployedModelId: body.deployedModelId,
  version: '3',
  trainedThrough: async () => trainedThrough,
});

describe("the publisher's serving container shape", () => {
  it('reads its successful predictions (fixture), dating week k as trainedThrough + 7k days', async () => {
    const [four, twelve] = await predictionsFrom(body.predictions.slice(0, 2), answerer());
    expect(four).toEqual({
      forecast: [905.3, 911.8, 897.6, 923.4],
      model_version: '3',
      weeks: ['2024-07-06', '2024-07-13', '2024-07-20', '2024-07-27'],
    });
    expect(twelve!.weeks).toHaveLength(12);
    expect(twelve!.weeks[11]).toBe('2024-09-21');
    // confidence_intervals → our bounds; null intervals → none.
    expect(twelve!.lower_bound?.slice(0, 2)).toEqual([725.3, 717.3]);
    expect(twelve!.upper_bound?.slice(-1)).toEqual([1321]);
    expect(four).not.toHaveProperty('lower_bound');
  });

  it('turns a failed instance (inside an HTTP 200 answer) into an error naming the instance and its message', async () => {
    const err = await predictionsFrom(body.predictions, answerer()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).retryable).toBe(false);
    expect((err as Error).message).toBe(
      'Vertex AI: instances[2] failed in the serving container of deployed model 1029384756473829100 (version 3): The `end` argument could not be matched to a location related to the index of the data.',
    );
  });

  it('refuses dateless answers when the version has no known training window', async () => {
    const err = await predictionsFrom(body.predictions.slice(0, 1), {
      ...answerer(),
      trainedThrough: async () => undefined,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/prediction 0 .* has no dates, and version 3's training window/);
  });

  it("reads forecast-guard's own shape unchanged but for the version, which the endpoint cannot know", async () => {
    const own = { forecast: [1.5, 2], model_version: '1', weeks: ['2024-05-04', '2024-05-11'] };
    const trainedThrough = jest.fn(async () => TRAINED_THROUGH);
    expect(await predictionsFrom([own], { deployedModelId: '7', version: '4', trainedThrough })).toEqual([
      { ...own, model_version: '4' },
    ]);
    expect(trainedThrough).not.toHaveBeenCalled();
  });

  it("refuses predictions of neither shape (another model's fraud scores)", async () => {
    const fraud = JSON.parse(
      readFileSync(join(__dirname, '../../../fixtures/vertex/endpoints.predict.json'), 'utf8'),
    ) as { response: { body: { predictions: unknown[] } } };
    const err = await predictionsFrom(fraud.response.body.predictions, answerer()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain(
      'prediction 0 from deployed model 1029384756473829100 is not a forecast',
    );
  });

  it('asks the container for 95 % intervals when intervals are wanted, as the request fixture does', () => {
    expect(containerInstance({ steps: 12, return_confidence_intervals: true })).toEqual(
      fixture.request.body.instances[1],
    );
    expect(containerInstance({ steps: 4 })).toEqual(fixture.request.body.instances[0]);
  });
});
