import { ResponseTally, type ResponseContext } from '../../../../shared/domain/validation/response-checks';
import { ValidationError } from '../../../../shared/errors';
import { aResponse } from './fixtures';

const context: ResponseContext = { version: '4', historyMax: 200, recentLevel: 60 };

function tally(fill: (t: ResponseTally) => void, ctx: ResponseContext = context) {
  const t = new ResponseTally(ctx);
  fill(t);
  return Object.fromEntries(t.checks().map((c) => [c.name, c]));
}

function grid(t: ResponseTally, make: (steps: number, intervals: boolean) => unknown) {
  for (let steps = 1; steps <= 52; steps++) {
    for (const intervals of [false, true]) {
      t.record({
        instance: { steps, return_confidence_intervals: intervals },
        response: make(steps, intervals),
      });
    }
  }
}

describe('ResponseTally', () => {
  it('passes every check for a healthy version', () => {
    const checks = tally((t) => grid(t, (steps, intervals) => aResponse('4', steps, { intervals })));
    for (const c of Object.values(checks))
      expect({ name: c.name, passed: c.passed }).toEqual({ name: c.name, passed: true });
    expect(checks.answered!.detail).toBe('104 of 104 valid requests answered');
    expect(checks.intervals!.detail).toContain('52 responses with an interval');
  });

  it('fails values on a NaN week (null on the wire) and names the week', () => {
    const checks = tally((t) =>
      grid(t, (steps, intervals) =>
        aResponse('4', steps, { intervals, value: (i) => (i === 1 ? null : 80) }),
      ),
    );
    expect(checks.values).toMatchObject({ passed: false });
    expect(checks.values!.detail).toContain('forecast week 2 (2025-01-11) is null (NaN)');
    // A missing value is not also called out of order.
    expect(checks.intervals!.passed).toBe(true);
  });

  it('fails values and intervals on negative forecasts', () => {
    const checks = tally((t) =>
      grid(t, (steps, intervals) => {
        const r = aResponse('4', steps, { intervals, value: (i) => (i % 3 === 0 ? -7 : 80) });
        if (intervals)
          r.predictions[0]!.lower_bound = r.predictions[0]!.forecast.map((v) => (v === null ? null : v + 1));
        return r;
      }),
    );
    expect(checks.values).toMatchObject({ passed: false });
    expect(checks.values!.detail).toContain('is -7');
    expect(checks.intervals).toMatchObject({ passed: false });
    expect(checks.intervals!.detail).toMatch(/lower -6, point -7/);
  });

  it('passes a Gaussian interval whose lower bound dips below 0 (the pipeline container), but not a negative upper bound', () => {
    const dipping = tally((t) =>
      grid(t, (steps, intervals) => {
        const r = aResponse('4', steps, { intervals, value: () => 5 });
        if (intervals) r.predictions[0]!.lower_bound = r.predictions[0]!.forecast.map(() => -12.5);
        return r;
      }),
    );
    expect(dipping.values).toMatchObject({ passed: true });
    expect(dipping.intervals).toMatchObject({ passed: true });

    const broken = tally((t) =>
      grid(t, (steps, intervals) => {
        const r = aResponse('4', steps, { intervals, value: () => 5 });
        if (intervals) {
          r.predictions[0]!.lower_bound = r.predictions[0]!.forecast.map(() => -12.5);
          r.predictions[0]!.upper_bound = r.predictions[0]!.forecast.map(() => -1);
        }
        return r;
      }),
    );
    expect(broken.values).toMatchObject({ passed: false });
    expect(broken.values!.detail).toContain('upper_bound week 1');
  });

  it('fails the range checks on a ×10 forecast, with the ratio as the figure', () => {
    const checks = tally((t) =>
      grid(t, (steps, intervals) => aResponse('4', steps, { intervals, value: () => 800 })),
    );
    expect(checks['range.history']).toMatchObject({ passed: false, figure: 4 });
    expect(checks['range.history']!.detail).toContain('limit 3 ×');
    expect(checks['range.recent-level']).toMatchObject({ passed: false });
    expect(checks['range.recent-level']!.figure).toBeCloseTo(800 / 60);
  });

  it('fails horizon when the endpoint answers fewer weeks, and when it refuses longer horizons', () => {
    const short = tally((t) =>
      grid(t, (steps, intervals) => aResponse('4', Math.min(steps, 8), { intervals })),
    );
    expect(short.horizon).toMatchObject({ passed: false });
    expect(short.horizon!.detail).toContain('steps 9: got 8 weeks');

    const refused = tally((t) => {
      for (let steps = 1; steps <= 12; steps++) {
        const instance = { steps };
        if (steps <= 8) t.record({ instance, response: aResponse('4', steps) });
        else
          t.record({
            instance,
            error: new ValidationError(`instances[0].steps: must be at most 8 (got ${steps})`, [
              'instances[0].steps',
            ]),
          });
      }
    });
    expect(refused.answered).toMatchObject({ passed: false, figure: 8 });
    expect(refused.answered!.detail).toContain('4 of 12 requests refused');
    expect(refused.horizon).toMatchObject({ passed: false });
    expect(refused.horizon!.detail).toContain('must be at most 8');
  });

  it('fails format on a response off the contract or from another version', () => {
    const checks = tally((t) => {
      t.record({ instance: { steps: 2 }, response: { predictions: [{ forecast: ['a'] }] } });
      t.record({ instance: { steps: 2 }, response: aResponse('3', 2) });
    });
    expect(checks.format).toMatchObject({ passed: false, figure: 2 });
    expect(checks.format!.detail).toContain('2 of 2 requests do not match');
  });

  it('says the range is not judged without history rather than failing', () => {
    const checks = tally((t) => grid(t, (steps) => aResponse('4', steps)), { version: '4' });
    expect(checks['range.history']).toMatchObject({ passed: true });
    expect(checks['range.history']!.detail).toContain('no sales history');
  });

  it('keeps the longest forecast it saw', () => {
    const t = new ResponseTally(context);
    grid(t, (steps) => aResponse('4', steps));
    expect(t.longestForecast().values).toHaveLength(52);
    expect(t.predictions).toBe(104);
    expect(t.answered).toBe(104);
  });
});
