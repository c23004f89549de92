/**
 * The study over a synthetic fleet whose truth is known: healthy books are
 * forecast at their level with 10 % log-normal noise, so a healthy window
 * rarely alarms and a ×1.5 forecast is always caught; one loud book sells
 * 3,000 a week, so an absolute RMSE limit fires on it every time and it needs
 * its own override.
 */
import {
  answerQuestion,
  candidateRates,
  DEFAULT_BACKTEST_CHECKS,
  DEFAULT_INJECTIONS,
  inject,
  recommendFor,
  scoreWindow,
  studyThresholds,
  type BacktestWindow,
  type BookBacktest,
  type RuleRates,
  type WindowScore,
} from '../../../../shared/domain/backtest';
import { rmse } from '../../../../shared/domain/series/metrics';
import { addWeeks } from '../../../../shared/domain/series/weeks';
import {
  parseThresholdOverrides,
  thresholdsFor,
  DEFAULT_THRESHOLDS,
} from '../../../../shared/domain/thresholds';
import { mulberry32 } from '../../../../shared/fleet/prng';
import { nextIsbn } from '../../../builders/model';

function noisy(level: number, n: number, rand: ReturnType<typeof mulberry32>): number[] {
  return Array.from({ length: n }, () => Math.round(level * Math.exp(0.1 * rand.normal())));
}

function book(level: number, seed: number, windows = 8): BookBacktest {
  const rand = mulberry32(seed);
  const isbn = nextIsbn();
  const healthy: WindowScore[] = [];
  const injected: Record<string, WindowScore[]> = {};
  for (let w = 0; w < windows; w++) {
    const origin = addWeeks('2022-01-01', w * 13);
    const training = noisy(level, 32, rand);
    const window: BacktestWindow = {
      isbn,
      origin,
      live: {
        weeks: Array.from({ length: 12 }, (_, i) => addWeeks(origin, i + 1)),
        actual: noisy(level, 12, rand),
        predicted: new Array<number>(12).fill(level),
      },
      training,
      baseline: { rmse: rmse(training, new Array<number>(32).fill(level)), mape: 10, holdoutWeeks: 32 },
    };
    healthy.push(scoreWindow(window, DEFAULT_BACKTEST_CHECKS) as WindowScore);
    for (const inj of DEFAULT_INJECTIONS) {
      (injected[inj.id] ??= []).push(
        scoreWindow(inject(window, inj), DEFAULT_BACKTEST_CHECKS) as WindowScore,
      );
    }
  }
  return { isbn, meanWeeklySales: level, healthy, injected };
}

const quiet = Array.from({ length: 30 }, (_, i) => book(i % 2 ? 20 : 100, 100 + i));
const loud = book(3000, 99);
const fleet = [...quiet, loud];
// 700 a week: an RMSE near 70, so the production limit fires on some of its healthy windows.
const big = book(700, 98);

describe('candidate rates', () => {
  it('keeps healthy windows quiet on the degradation rule and catches every ×1.5 forecast', () => {
    const rates = candidateRates('degradationMaxPct', quiet, DEFAULT_INJECTIONS);
    for (const c of rates.candidates) {
      expect(c.falseAlarm.windows).toBe(240);
      expect(c.miss['forecast-x1.5']).toEqual({ rate: 0, windows: 240 });
    }
    const at30 = rates.candidates.find((c) => c.value === 30);
    expect(at30?.falseAlarm.rate).toBeLessThanOrEqual(0.05);
  });

  it('catches a ×1.5 forecast by MAPE at 20 % and misses it nearly always at 60 %, where the MAPE is about 50 %', () => {
    const rates = candidateRates('mapeMax', quiet, DEFAULT_INJECTIONS);
    const miss = (v: number) => rates.candidates.find((c) => c.value === v)?.miss['forecast-x1.5']?.rate;
    expect(miss(20)).toBe(0);
    expect(miss(60)).toBeGreaterThan(0.9);
  });

  it('splits false alarms by sales band: an absolute RMSE limit fires on the 3,000-a-week book only', () => {
    const rates = candidateRates('rmseMax', fleet, DEFAULT_INJECTIONS);
    for (const c of rates.candidates) {
      expect(c.falseAlarmByBand.ge1000).toEqual({ rate: 1, windows: 8 });
      expect(c.falseAlarmByBand.lt25?.rate).toBe(0);
      expect(c.falseAlarmByBand['50-200']?.rate).toBe(0);
      expect(c.falseAlarmByBand['200-1000']).toEqual({ rate: null, windows: 0 });
      expect(c.falseAlarm.rate).toBeCloseTo(8 / 248, 10);
    }
  });
});

describe('recommendations and the overrides file', () => {
  const many = [...quiet, ...Array.from({ length: 30 }, (_, i) => book(i % 2 ? 30 : 150, 200 + i))];
  const study = studyThresholds([...many, big], DEFAULT_INJECTIONS);

  it('gives a big book its own RMSE limit, on the grid, above every healthy figure, in a file the loader accepts', () => {
    const prod = study.recommendations.production;
    const own = prod.overrides[big.isbn]?.rmseMax;
    expect(own).toBeDefined();
    expect((own as number) % 10).toBe(0);
    const highest = Math.max(...big.healthy.flatMap((w) => w.checks.map((c) => c.rmseLower)));
    expect(own).toBeGreaterThan(highest);
    expect(own).toBeGreaterThan(prod.rules.rmseMax.value as number);
    const parsed = parseThresholdOverrides(JSON.parse(JSON.stringify(prod.overrides)));
    expect(thresholdsFor('production', big.isbn, parsed).rmseMax).toBe(own);
  });

  it('caps a book that no sensible limit quietens and names it for a look', () => {
    const prod = studyThresholds([...many, loud], DEFAULT_INJECTIONS).recommendations.production;
    expect(prod.overrides[loud.isbn]?.rmseMax).toBe(240);
    expect(prod.cappedBooks.rmseMax).toEqual([loud.isbn]);
    expect(prod.bookOverrides.rmseMax).toBe(1);
  });

  it('picks the tightest candidate within the budget for the environment', () => {
    const rates = study.rates.rmseMax;
    const rec = study.recommendations.production.rules.rmseMax;
    const within = rates.candidates.filter((c) => (c.falseAlarm.rate ?? 1) <= 0.02).map((c) => c.value);
    expect(rec.value).toBe(within.length > 0 ? Math.min(...within) : 120);
    expect(rec.meetsBudget).toBe(within.length > 0);
  });

  it('leaves development rules off and writes it no overrides', () => {
    const dev = recommendFor('development', study.rates, [...many, big]);
    expect(dev.rules.rmseMax.value).toBeNull();
    expect(dev.overrides).toEqual({});
  });

  it('writes only what differs from the defaults', () => {
    for (const [env, rec] of Object.entries(study.recommendations)) {
      const defaults = DEFAULT_THRESHOLDS[env as keyof typeof DEFAULT_THRESHOLDS];
      for (const o of Object.values(rec.overrides)) {
        for (const [field, value] of Object.entries(o))
          expect(value).not.toBe(defaults[field as keyof typeof defaults]);
      }
    }
  });
});

describe("the product owner's questions", () => {
  function rates(rule: RuleRates['rule'], values: number[], falseAlarm: number, miss: number): RuleRates {
    return {
      rule,
      label: rule,
      unit: '%',
      candidates: values.map((value) => ({
        value,
        falseAlarm: { rate: falseAlarm, windows: 100 },
        falseAlarmByBand: { lt25: { rate: falseAlarm, windows: 100 } },
        miss: { 'forecast-x1.5': { rate: miss, windows: 100 } },
      })),
    };
  }
  const study = studyThresholds(fleet, DEFAULT_INJECTIONS);
  const prod = study.recommendations.production;
  const stg = study.recommendations.staging;

  it('says the degradation limits are too strict when they false-alarm beyond the budgets', () => {
    const a = answerQuestion(rates('degradationMaxPct', [5, 10, 15], 0.2, 0.1), [], prod, stg);
    expect(a.verdict).toBe('too-strict');
    expect(a.answer).toMatch(/^Yes: both 5 % and 10 % are too strict/);
    expect(a.answer).toContain('20.0 % of healthy 12-week periods');
  });

  it('says they are not too strict when healthy periods stay quiet and degradations are caught', () => {
    const a = answerQuestion(rates('degradationMaxPct', [5, 10, 15], 0.01, 0.1), [], prod, stg);
    expect(a.verdict).toBe('appropriate');
    expect(a.answer).toMatch(/^No: /);
  });

  it('calls an RMSE range that misses most degradations too loose, quoting the measured rates', () => {
    const a = answerQuestion(rates('rmseMax', [60, 80, 100], 0.004, 0.9), [], prod, stg);
    expect(a.verdict).toBe('too-loose');
    expect(a.answer).toContain('90.0 % of injected degradations would have been missed');
  });

  it('answers all three from the study itself', () => {
    expect(study.answers.map((a) => a.question)).toEqual([
      'Is RMSE < 80–100 appropriate?',
      'Is MAPE < 30–50 % appropriate?',
      'Are 5–10 % degradation limits too strict?',
    ]);
  });
});
