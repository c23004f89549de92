/**
 * Conversions between JSON and the protobuf well-known types the Vertex AI
 * client speaks: `google.protobuf.Value`/`Struct` (Model metadata,
 * prediction instances and results) and `google.protobuf.Timestamp`.
 */
import type { helpers as Helpers, protos } from '@google-cloud/aiplatform';

export type ProtoValue = protos.google.protobuf.IValue;
export type ProtoStruct = protos.google.protobuf.IStruct;
export type ProtoTimestamp = protos.google.protobuf.ITimestamp;

/*
 * The package's converter is required on first use: importing the package
 * costs most of a second, and the codecs that import this module are loaded
 * by code that may never convert anything (the CLI's commands on the
 * embedded backend).
 */
let helpers: typeof Helpers | undefined;

/** A JSON value as a protobuf Value, with the aiplatform package's own converter. */
export function toProtoValue(json: unknown): ProtoValue {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  helpers ??= (require('@google-cloud/aiplatform') as { helpers: typeof Helpers }).helpers;
  return helpers.toValue(json as object) as ProtoValue;
}

/** The fields of a JSON object as a protobuf Struct (PipelineJob.pipeline_spec, Artifact.metadata). */
export function toProtoStruct(json: Record<string, unknown>): ProtoStruct {
  return toProtoValue(json).structValue ?? { fields: {} };
}

/**
 * A protobuf Value (as the client decodes it: `kind` names the set field) as
 * plain JSON. Unlike `helpers.fromValue`, any kind is accepted at the top
 * level, not only a struct.
 */
export function fromProtoValue(value: ProtoValue | null | undefined): unknown {
  if (value === null || value === undefined) return undefined;
  const kind = (value as { kind?: string }).kind ?? presentKind(value);
  switch (kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return fromProtoStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map((v) => fromProtoValue(v));
    default:
      return undefined;
  }
}

/** A protobuf Struct as a plain JSON object. */
export function fromProtoStruct(struct: ProtoStruct | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(struct?.fields ?? {})) out[key] = fromProtoValue(v);
  return out;
}

function presentKind(value: ProtoValue): string | undefined {
  const kinds = ['structValue', 'listValue', 'stringValue', 'numberValue', 'boolValue', 'nullValue'];
  return kinds.find(
    (k) =>
      (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null,
  );
}

/**
 * A Timestamp as ISO 8601 UTC: milliseconds when the instant has no finer
 * part (what `Date#toISOString` gives, so our own timestamps round-trip
 * unchanged), else micro- or nanoseconds. REST-shaped input (an RFC 3339
 * string) is accepted too. Unset → undefined.
 */
export function timestampToIso(ts: ProtoTimestamp | string | null | undefined): string | undefined {
  if (ts === null || ts === undefined) return undefined;
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? undefined : ts;
  }
  if (ts.seconds === null || ts.seconds === undefined) return undefined;
  const seconds = Number(String(ts.seconds));
  const nanos = Number(ts.nanos ?? 0);
  if (!Number.isFinite(seconds)) return undefined;
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (nanos % 1_000_000 === 0) return `${whole}.${String(nanos / 1_000_000).padStart(3, '0')}Z`;
  const digits = String(nanos).padStart(9, '0');
  return `${whole}.${nanos % 1000 === 0 ? digits.slice(0, 6) : digits}Z`;
}

/** An ISO 8601 date-time as a Timestamp, keeping every fraction digit up to nanoseconds. */
export function isoToTimestamp(iso: string): ProtoTimestamp {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 date-time: ${JSON.stringify(iso)}`);
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  const nanos = Number(fraction.slice(0, 9).padEnd(9, '0'));
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos };
}
