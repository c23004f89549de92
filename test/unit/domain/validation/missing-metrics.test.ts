/** A version whose holdout metrics could not be read never passes an accuracy gate, with or without a limit. */
import { MISSING_METRIC_VALUE } from '../../../../shared/domain/version-origin';
import { accuracyChecks } from '../../../../shared/domain/validation/accuracy';

describe('accuracy checks of a version without metrics', () => {
  const unknown = { version: '2', metrics: { rmse: MISSING_METRIC_VALUE, mape: MISSING_METRIC_VALUE } };

  it.each([
    ['production', { rmseMax: 80, mapeMax: 30 }],
    ['development', { rmseMax: null, mapeMax: null }],
  ])('fails both checks in %s, saying the metrics are unknown', (environment, thresholds) => {
    expect(accuracyChecks(unknown, thresholds, environment)).toEqual([
      {
        name: 'accuracy.rmse',
        passed: false,
        detail: 'holdout RMSE unknown: the version has no holdout metrics',
      },
      {
        name: 'accuracy.mape',
        passed: false,
        detail: 'holdout MAPE unknown: the version has no holdout metrics',
      },
    ]);
  });

  it('still judges real figures as before', () => {
    const [rmse] = accuracyChecks(
      { version: '1', metrics: { rmse: 40, mape: 9 } },
      { rmseMax: 80, mapeMax: 30 },
      'production',
    );
    expect(rmse).toMatchObject({ passed: true, figure: 40 });
  });
});
