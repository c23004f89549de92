import type { z } from 'zod';
import { COLLECTIONS } from '../../../shared/contracts/collections';
import {
  AlertState,
  DOCUMENT_SCHEMAS,
  PendingNotification,
  processedMessageDocId,
  RollbackBackup,
  RollbackRecord,
  rollbackRecordDocId,
} from '../../../shared/contracts/documents';
import { parseWith, safeParseWith } from '../../../shared/contracts/parse';
import * as samples from './samples';

const SAMPLES: Record<string, () => Record<string, unknown>> = {
  [COLLECTIONS.alertStates]: samples.alertState,
  [COLLECTIONS.pendingNotifications]: samples.pendingNotification,
  [COLLECTIONS.lastKnownGood]: samples.lastKnownGood,
  [COLLECTIONS.rollbackLeases]: samples.rollbackLease,
  [COLLECTIONS.rollbackBackups]: samples.rollbackBackup,
  [COLLECTIONS.rollbackRecords]: samples.rollbackRecord,
  [COLLECTIONS.processedMessages]: samples.processedMessage,
  [COLLECTIONS.healthReports]: samples.healthReport,
  [COLLECTIONS.metricPoints]: samples.metricPoint,
  [COLLECTIONS.metricRollups]: samples.metricRollup,
  [COLLECTIONS.metricObservations]: samples.metricObservations,
  [COLLECTIONS.validationReports]: samples.validationReport,
  [COLLECTIONS.approvals]: samples.approval,
};
const collections = Object.entries(DOCUMENT_SCHEMAS) as Array<[string, z.ZodType]>;

function problem(schema: z.ZodType, value: unknown): { fields: string[]; message: string } {
  const result = safeParseWith(schema, value, 'Doc');
  if (result.ok) throw new Error(`expected a rejection of ${JSON.stringify(value)}`);
  return { fields: result.error.fields, message: result.error.message };
}

describe('COLLECTIONS and DOCUMENT_SCHEMAS', () => {
  it('give every collection a distinct name and a schema', () => {
    const names = Object.values(COLLECTIONS);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(DOCUMENT_SCHEMAS).sort()).toEqual([...names].sort());
    for (const name of names) expect(name).toMatch(/^[a-z][a-z-]*[a-z]$/);
  });

  it.each(collections)(
    '%s: the sample parses and survives a JSON round trip unchanged',
    (collection, schema) => {
      const sample = SAMPLES[collection]?.() ?? {};
      const parsed = parseWith(schema, sample, collection);
      expect(parsed).toEqual(sample);
      expect(parseWith(schema, JSON.parse(JSON.stringify(parsed)), collection)).toEqual(parsed);
    },
  );

  it.each(collections)(
    '%s: every required field, when missing, is named as required',
    (collection, schema) => {
      const sample = SAMPLES[collection]?.() ?? {};
      let required = 0;
      for (const field of Object.keys(sample)) {
        const copy = { ...sample };
        delete copy[field];
        const result = safeParseWith(schema, copy, collection);
        if (result.ok) continue;
        required++;
        expect(result.error.fields).toEqual([field]);
        expect(result.error.message).toContain(`${field}: is required`);
      }
      expect(required).toBeGreaterThan(0);
    },
  );

  it.each(collections)('%s: a field of the wrong type is named', (collection, schema) => {
    const sample = SAMPLES[collection]?.() ?? {};
    for (const field of Object.keys(sample)) {
      const bad = typeof sample[field] === 'string' ? 12345 : 'not-a-valid-value';
      const { fields, message } = problem(schema, { ...sample, [field]: bad });
      for (const path of fields) expect(path === field || path.startsWith(`${field}.`)).toBe(true);
      expect(message).toContain(`${field}`);
    }
  });
});

describe('AlertState', () => {
  it('accepts pending, acknowledged and silenced states', () => {
    const pending = { ...samples.alertState(), status: 'pending', pendingSince: samples.AT, notifyCount: 0 };
    expect(parseWith(AlertState, pending, 'AlertState').status).toBe('pending');
    const acked = {
      ...samples.alertState(),
      acknowledgedBy: 'bob',
      acknowledgedAt: samples.AT,
      silencedUntil: samples.AT,
    };
    expect(parseWith(AlertState, acked, 'AlertState').acknowledgedBy).toBe('bob');
  });

  it.each([
    [{ status: 'acknowledged' }, 'status', 'must be one of firing|resolved|pending (got "acknowledged")'],
    [{ notifyCount: -1 }, 'notifyCount', 'must be >= 0 (got -1)'],
    [{ version: 1.5 }, 'version', 'must be an integer (got 1.5)'],
    [{ acknowledgedBy: 'bob' }, 'acknowledgedAt', 'is required when the alert is acknowledged'],
    [{ acknowledgedAt: samples.AT }, 'acknowledgedBy', 'is required when the alert is acknowledged'],
    [
      { lastAlert: { ...samples.alert(), severity: 'loud' } },
      'lastAlert.severity',
      'must be one of critical|warning|info',
    ],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const { fields, message } = problem(AlertState, { ...samples.alertState(), ...patch });
    expect(fields).toEqual([field]);
    expect(message).toContain(`${field}: ${reason}`);
  });
});

describe('PendingNotification', () => {
  it.each([
    [{ fingerprints: [] }, 'fingerprints', 'must name at least one alert fingerprint'],
    [
      { channel: 'Slack #ops' },
      'channel',
      'must be a channel name like slack, email or log (got "Slack #ops")',
    ],
    [{ attempts: 'two' }, 'attempts', 'must be a number (got "two")'],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const { fields, message } = problem(PendingNotification, { ...samples.pendingNotification(), ...patch });
    expect(fields).toEqual([field]);
    expect(message).toContain(`${field}: ${reason}`);
  });
});

describe('rollback documents', () => {
  it('backs up a book without an endpoint as serving: null', () => {
    const backup = parseWith(RollbackBackup, samples.rollbackBackup(), 'RollbackBackup');
    expect(backup.entries[1]).toEqual({ isbn: samples.ISBN_2, serving: null });
  });

  it('names a bad serving state inside a backup entry', () => {
    const backup = samples.rollbackBackup();
    const entries = [
      {
        isbn: samples.ISBN,
        serving: { ...samples.servingState(), deployments: [{ version: '1', trafficPercent: 120 }] },
      },
    ];
    const { fields, message } = problem(RollbackBackup, { ...backup, entries });
    expect(fields).toEqual(['entries.0.serving.deployments.0.trafficPercent']);
    expect(message).toContain('entries.0.serving.deployments.0.trafficPercent: must be <= 100 (got 120)');
  });

  it('records a skipped book with no versions on either side', () => {
    const skipped = { ...samples.rollbackRecord(), from: null, to: null, status: 'skipped', verified: false };
    expect(parseWith(RollbackRecord, skipped, 'RollbackRecord').status).toBe('skipped');
    expect(problem(RollbackRecord, { ...skipped, status: 'partial' }).message).toContain(
      'status: must be one of succeeded|failed|restored|skipped (got "partial")',
    );
  });
});

describe('document ids', () => {
  it('are stable, readable and free of "/"', () => {
    expect(rollbackRecordDocId('rb-1', samples.ISBN)).toBe(`rb-1:${samples.ISBN}`);
    expect(processedMessageDocId('alert-dispatch', '2070443601311540')).toBe(
      'alert-dispatch:2070443601311540',
    );
    expect(processedMessageDocId('http', 'req/1')).toBe('http:req_1');
  });
});
