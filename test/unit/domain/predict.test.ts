import fc from 'fast-check';
import { answerInstances, forecastWeeks, validateInstances } from '../../../shared/domain/predict';
import { ValidationError } from '../../../shared/errors';
import { aForecast } from '../../builders/model';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('validateInstances', () => {
  it('returns valid instances as parsed', () => {
    expect(validateInstances([{ steps: 4 }, { steps: 104, return_confidence_intervals: true }])).toEqual([
      { steps: 4 },
      { steps: 104, return_confidence_intervals: true },
    ]);
  });

  it('names the instance, the field, the reason and the value received', () => {
    const cases: Array<[unknown, string, string]> = [
      [{ steps: 0 }, 'instances[1].steps', 'must be at least 1 (got 0)'],
      [{ steps: -1 }, 'instances[1].steps', 'must be at least 1 (got -1)'],
      [{ steps: 105 }, 'instances[1].steps', 'must be at most 104 (got 105)'],
      [{ steps: 2.5 }, 'instances[1].steps', 'must be a whole number of weeks (got 2.5)'],
      [{}, 'instances[1].steps', 'is required'],
      [{ steps: '3' }, 'instances[1].steps', 'must be a number of weeks (got "3")'],
      [
        { steps: 3, return_confidence_intervals: 1 },
        'instances[1].return_confidence_intervals',
        'must be true or false (got 1)',
      ],
      [null, 'instances[1]', 'must be an object like {"steps": 12} (got null)'],
      ['3', 'instances[1]', 'must be an object like {"steps": 12} (got "3")'],
    ];
    for (const [instance, field, reason] of cases) {
      const err = rejection(() => validateInstances([{ steps: 1 }, instance]));
      expect(err.fields).toEqual([field]);
      expect(err.message).toBe(`${field}: ${reason}`);
    }
  });

  it('holds instances to a shorter forecast horizon', () => {
    const err = rejection(() => validateInstances([{ steps: 12 }, { steps: 13 }], 12));
    expect(err.message).toBe("instances[1].steps: must be at most 12, the forecast's horizon (got 13)");
  });

  it('lists every bad field but spells out only the first five', () => {
    const err = rejection(() => validateInstances(Array.from({ length: 8 }, () => ({ steps: 0 }))));
    expect(err.fields).toHaveLength(8);
    expect(err.message).toMatch(/instances\[4\]\.steps: must be at least 1 \(got 0\) \(and 3 more\)$/);
  });

  it('rejects a missing or empty instance list', () => {
    expect(rejection(() => validateInstances('steps=3')).fields).toEqual(['instances']);
    expect(rejection(() => validateInstances([])).message).toBe('instances: must hold at least one instance');
  });
});

describe('forecastWeeks', () => {
  it('starts the Saturday after a Saturday, or the coming Saturday after any other day', () => {
    expect(forecastWeeks('2024-04-27', 3)).toEqual(['2024-05-04', '2024-05-11', '2024-05-18']);
    expect(forecastWeeks('2024-05-01', 2)).toEqual(['2024-05-04', '2024-05-11']);
    expect(forecastWeeks('2024-12-28', 2)).toEqual(['2025-01-04', '2025-01-11']);
  });

  it('gives consecutive Saturdays within a week of the training cutoff', () => {
    const day = fc
      .integer({ min: 0, max: 20_000 })
      .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 104 }), (cutoff, count) => {
        const weeks = forecastWeeks(cutoff, count).map((w) => Date.parse(`${w}T00:00:00Z`));
        const gap = (weeks[0]! - Date.parse(`${cutoff}T00:00:00Z`)) / 86_400_000;
        return (
          weeks.length === count &&
          gap >= 1 &&
          gap <= 7 &&
          weeks.every(
            (w, i) => new Date(w).getUTCDay() === 6 && (i === 0 || w - weeks[i - 1]! === 7 * 86_400_000),
          )
        );
      }),
    );
  });

  it('names a bad cutoff', () => {
    expect(rejection(() => forecastWeeks('2024-02-31', 1)).fields).toEqual(['trainedThrough']);
  });
});

describe('answerInstances', () => {
  const forecast = aForecast({ weeks: 30 });
  const source = { version: '7', trainedThrough: '2024-04-27', forecast };

  it('answers each instance with the forecast prefix, intervals only when asked', () => {
    const [plain, withIntervals] = answerInstances(
      [{ steps: 3 }, { steps: 30, return_confidence_intervals: true }],
      source,
    );
    expect(plain).toEqual({
      forecast: forecast.mean.slice(0, 3),
      model_version: '7',
      weeks: ['2024-05-04', '2024-05-11', '2024-05-18'],
    });
    expect(withIntervals?.forecast).toEqual(forecast.mean);
    expect(withIntervals?.lower_bound).toEqual(forecast.lower);
    expect(withIntervals?.upper_bound).toEqual(forecast.upper);
    expect(withIntervals?.weeks).toHaveLength(30);
  });

  it('hands out copies: changing an answer leaves the stored forecast alone', () => {
    const [answer] = answerInstances([{ steps: 2, return_confidence_intervals: true }], source);
    answer!.forecast[0] = -1;
    answer!.lower_bound![0] = -1;
    expect(forecast.mean[0]).not.toBe(-1);
    expect(forecast.lower[0]).not.toBe(-1);
  });

  it('refuses a horizon the forecast does not have', () => {
    expect(rejection(() => answerInstances([{ steps: 31 }], source)).message).toMatch(
      /asked for 31 weeks but version 7 has 30/,
    );
  });
});
