import {
  fromProtoStruct,
  fromProtoValue,
  isoToTimestamp,
  timestampToIso,
  toProtoStruct,
  toProtoValue,
} from '../../../../shared/adapters/gcp/vertex-values';

describe('protobuf Value ↔ JSON', () => {
  it('round-trips nested JSON, including lists of lists', () => {
    const json = { a: 1.5, b: [1, [2, 3]], c: 'x', d: true, e: null, f: { g: [] } };
    expect(fromProtoValue(toProtoValue(json))).toEqual(json);
    expect(fromProtoStruct(toProtoStruct(json))).toEqual(json);
  });

  it('reads Values the way the client decodes them (with `kind`), any kind at the top', () => {
    expect(fromProtoValue({ numberValue: 3, kind: 'numberValue' } as never)).toBe(3);
    expect(
      fromProtoValue({
        listValue: { values: [{ stringValue: 'w', kind: 'stringValue' }] },
        kind: 'listValue',
      } as never),
    ).toEqual(['w']);
    expect(fromProtoValue(undefined)).toBeUndefined();
  });
});

describe('Timestamp ↔ ISO 8601', () => {
  it.each([
    ['2024-05-01T09:00:00.000Z', '2024-05-01T09:00:00.000Z'],
    ['2024-05-01T10:00:05.123456Z', '2024-05-01T10:00:05.123456Z'],
    ['2024-05-01T10:00:05.123456789Z', '2024-05-01T10:00:05.123456789Z'],
    ['2024-05-01T10:00:05Z', '2024-05-01T10:00:05.000Z'],
    ['2024-05-01T12:00:05.5+02:00', '2024-05-01T10:00:05.500Z'],
  ])('%s → Timestamp → %s', (input, output) => {
    expect(timestampToIso(isoToTimestamp(input))).toBe(output);
  });

  it('accepts int64 seconds as strings (how the client decodes them) and REST strings', () => {
    expect(timestampToIso({ seconds: '1714554000', nanos: 0 })).toBe('2024-05-01T09:00:00.000Z');
    expect(timestampToIso('2024-05-01T11:15:00.000000Z')).toBe('2024-05-01T11:15:00.000000Z');
    expect(timestampToIso(null)).toBeUndefined();
    expect(() => isoToTimestamp('yesterday')).toThrow(RangeError);
  });
});
