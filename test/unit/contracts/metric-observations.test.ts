/**
 * The metric-observations document stays bounded: the schema refuses more
 * entries than the largest history the step may keep, and that largest
 * history, with the longest ids the contract admits, is far below
 * Firestore's 1 MiB document limit.
 */
import { COLLECTIONS } from '../../../shared/contracts/collections';
import { documentSize, MAX_DOCUMENT_BYTES } from '../../../shared/contracts/document-size';
import {
  MAX_METRIC_OBSERVATIONS,
  MetricObservations,
  type MetricObservationEntry,
} from '../../../shared/contracts/documents/metric-observations';

/** The largest entry the contract admits: a 200-character run id, a long version, every metric. */
function widest(i: number): MetricObservationEntry {
  return {
    at: new Date(Date.UTC(2031, 0, 1) + i * 7 * 86_400_000).toISOString(),
    runId: `hc-${String(i).padStart(197, '0')}`,
    version: '123456789012',
    mape: 123.456,
    rmse: 98765.432,
    smape: 123.456,
    mase: 12.345,
  };
}

describe('MetricObservations', () => {
  const observations = Array.from({ length: MAX_METRIC_OBSERVATIONS }, (_, i) => widest(i));
  const doc = {
    isbn: '9780722532935',
    updatedAt: '2041-01-01T00:00:00.000Z',
    seededFromPoints: 20_000,
    observations,
  };

  it('at its largest (520 entries, 200-character run ids) is under a quarter of the 1 MiB limit', () => {
    expect(MetricObservations.parse(doc)).toEqual(doc);
    const bytes = documentSize(COLLECTIONS.metricObservations, doc.isbn, doc);
    expect(bytes).toBeLessThan(MAX_DOCUMENT_BYTES / 4);
    // The default history (60) with the health check's own run ids is a few kilobytes.
    const usual = {
      ...doc,
      observations: observations
        .slice(0, 60)
        .map((o, i) => ({ ...o, runId: `hc-2031-01-01T09:00:00.000Z-${i}` })),
    };
    expect(documentSize(COLLECTIONS.metricObservations, doc.isbn, usual)).toBeLessThan(12_000);
  });

  it('refuses a history longer than the bound, naming the field', () => {
    const result = MetricObservations.safeParse({ ...doc, observations: [...observations, widest(520)] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['observations']);
  });
});
