import {
  CORRELATION_ATTRIBUTE,
  correlationFrom,
  newCorrelationId,
  traceFromHeader,
  traceFromHeaders,
  withCorrelation,
} from '../../../shared/logging';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('correlation ids', () => {
  it('travel in the correlationId attribute', () => {
    expect(CORRELATION_ATTRIBUTE).toBe('correlationId');
    const attrs = { source: 'scheduler' };
    const next = withCorrelation(attrs, 'corr-42');
    expect(next).toEqual({ source: 'scheduler', correlationId: 'corr-42' });
    expect(attrs).toEqual({ source: 'scheduler' }); // not mutated
    expect(withCorrelation(undefined, 'corr-1')).toEqual({ correlationId: 'corr-1' });
    expect(correlationFrom(next, 'unused')).toBe('corr-42');
  });

  it('come from the injected id generator', () => {
    const prefixes: Array<string | undefined> = [];
    const ids = {
      next: (prefix?: string) => {
        prefixes.push(prefix);
        return `${prefix}-0001`;
      },
    };
    expect(newCorrelationId(ids)).toBe('corr-0001');
    expect(prefixes).toEqual(['corr']);
  });

  it('fall back when absent or unusable, calling a fallback function only when needed', () => {
    let calls = 0;
    const fresh = () => `corr-new-${++calls}`;
    expect(correlationFrom({ correlationId: 'corr-7' }, fresh)).toBe('corr-7');
    expect(calls).toBe(0);
    expect(correlationFrom(undefined, fresh)).toBe('corr-new-1');
    expect(correlationFrom({}, 'from-body')).toBe('from-body');
    expect(correlationFrom({ correlationId: '' }, 'fb')).toBe('fb');
    expect(correlationFrom({ correlationId: 'bad id\nINJECTED' }, 'fb')).toBe('fb');
    expect(correlationFrom({ correlationId: 'x'.repeat(129) }, 'fb')).toBe('fb');
  });
});

describe('traceFromHeader', () => {
  it.each([
    [`00-${TRACE}-00f067aa0ba902b7-01`, TRACE],
    [`00-${TRACE.toUpperCase()}-00F067AA0BA902B7-00`, TRACE],
    [`${TRACE}/1;o=1`, TRACE],
    [`${TRACE}/1234567890`, TRACE],
    [TRACE, TRACE],
    [[`${TRACE}/1;o=1`, 'ignored'], TRACE],
  ])('%j → %s', (header, expected) => {
    expect(traceFromHeader(header)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    'garbage',
    `ff-${TRACE}-00f067aa0ba902b7-01`, // version ff is invalid
    `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, // all-zero trace id means none
    `${'0'.repeat(32)}/1;o=1`,
    `00-${TRACE.slice(1)}-00f067aa0ba902b7-01`,
  ])('%j → undefined', (header) => {
    expect(traceFromHeader(header)).toBeUndefined();
  });

  it('prefers traceparent over X-Cloud-Trace-Context, matching header names in any case', () => {
    const other = 'a'.repeat(32);
    expect(
      traceFromHeaders({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'x-cloud-trace-context': other }),
    ).toBe(TRACE);
    expect(traceFromHeaders({ 'X-Cloud-Trace-Context': `${other}/7;o=1` })).toBe(other);
    expect(traceFromHeaders({ host: 'x' })).toBeUndefined();
  });
});
