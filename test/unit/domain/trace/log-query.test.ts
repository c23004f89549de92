/** The Cloud Logging query: Logging query language, its quoting and its 20,000-character limit. */
import {
  cloudLoggingFilter,
  logsExplorerUrl,
  MAX_LOGGING_FILTER_CHARS,
  quoteLoggingString,
} from '../../../../shared/domain/trace/log-query';
import { isoWeekOf, trainingWindowStart } from '../../../../shared/domain/trace/week';

describe('cloudLoggingFilter', () => {
  it('restricts to the functions’ Cloud Run services, the id in payload or label, and the range', () => {
    expect(
      cloudLoggingFilter({
        correlationId: 'corr-1',
        services: ['health-check', 'rollback'],
        from: '2024-06-03T00:00:00.000Z',
        to: '2024-06-05T00:00:00.000Z',
      }),
    ).toBe(
      [
        'resource.type="cloud_run_revision"',
        'AND resource.labels.service_name=("health-check" OR "rollback")',
        'AND (labels.correlationId="corr-1" OR jsonPayload.correlationId="corr-1")',
        'AND timestamp>="2024-06-03T00:00:00.000Z"',
        'AND timestamp<"2024-06-05T00:00:00.000Z"',
      ].join('\n'),
    );
  });

  it('refuses a correlation id outside the safe alphabet, so nothing can be injected into the query', () => {
    expect(() => cloudLoggingFilter({ correlationId: 'x" OR severity>=DEFAULT OR "', services: [] })).toThrow(
      /correlationId: must be 1 to 128/,
    );
    expect(() => cloudLoggingFilter({ correlationId: 'c', services: [], from: 'yesterday' })).toThrow(
      /from: must be/,
    );
  });

  it('refuses a filter longer than Cloud Logging takes', () => {
    const services = Array.from({ length: 2000 }, (_, i) => `service-number-${i}`);
    expect(() => cloudLoggingFilter({ correlationId: 'c', services })).toThrow(
      new RegExp(`over Cloud Logging's ${MAX_LOGGING_FILTER_CHARS}`),
    );
  });

  it('quotes as the language does, and links Logs Explorer to the query', () => {
    expect(quoteLoggingString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(logsExplorerUrl('a="b"', 'proj')).toBe(
      'https://console.cloud.google.com/logs/query;query=a%3D%22b%22?project=proj',
    );
  });
});

describe('isoWeekOf / trainingWindowStart', () => {
  it('gives the Monday-to-Monday week of any day of it', () => {
    for (const day of ['2024-06-03', '2024-06-06', '2024-06-09', '2024-06-09T23:59:59.000Z']) {
      expect(isoWeekOf(day)).toEqual({
        week: '2024-06-03',
        from: '2024-06-03T00:00:00.000Z',
        to: '2024-06-10T00:00:00.000Z',
      });
    }
  });

  it('names the field and the value of a bad date', () => {
    expect(() => isoWeekOf('2024-13-40')).toThrow('week: must be a date, YYYY-MM-DD (got "2024-13-40")');
    expect(() => isoWeekOf('June')).toThrow(/week: must be a date/);
  });

  it('counts the training window back from trainedThrough by the recorded length', () => {
    expect(trainingWindowStart('2024-11-30', { trainingWeeks: 3 })).toBe('2024-11-16');
    expect(trainingWindowStart('2024-11-30', { train_length: '1' })).toBe('2024-11-30');
    expect(trainingWindowStart('2024-11-30', {})).toBeUndefined();
  });
});
