import type { z } from 'zod';
import {
  Alert,
  AlertKind,
  DailySummaryRequest,
  HealthCheckRequest,
  LifecycleEvent,
  MESSAGE_SCHEMAS,
  ModelDeployed,
  RollbackRequest,
} from '../../../shared/contracts/messages';
import { parseWith, safeParseWith } from '../../../shared/contracts/parse';
import { TOPIC_MESSAGES } from '../../../shared/contracts/topic-messages';
import type { ValidationError } from '../../../shared/errors';
import { SCHEDULES, TOPICS } from '../../../shared/topology';
import * as samples from './samples';

/** The ValidationError `schema` gives for `value`; fails the test if it parses. */
function rejection(schema: z.ZodType, value: unknown, what = 'Message'): ValidationError {
  const result = safeParseWith(schema, value, what);
  if (result.ok) throw new Error(`expected ${what} to be rejected: ${JSON.stringify(value)}`);
  return result.error;
}

const with_ = (base: object, patch: Record<string, unknown>): Record<string, unknown> => ({
  ...base,
  ...patch,
});
const without = (base: object, key: string): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...base };
  delete copy[key];
  return copy;
};

describe('HealthCheckRequest', () => {
  it('accepts a scheduled run with nothing else, and a manual run for named books', () => {
    expect(parseWith(HealthCheckRequest, { trigger: 'schedule' }, 'HealthCheckRequest')).toEqual({
      trigger: 'schedule',
    });
    expect(parseWith(HealthCheckRequest, samples.healthCheckRequest(), 'HealthCheckRequest')).toEqual(
      samples.healthCheckRequest(),
    );
  });

  it.each([
    [{ trigger: 'cron' }, 'trigger: must be one of schedule|manual|drill|sales-data (got "cron")'],
    [
      { trigger: 'manual', isbns: [] },
      'isbns: must name at least one ISBN, or be left out to check all (got [])',
    ],
    [
      { trigger: 'manual', isbns: ['9780722532936'] },
      'isbns.0: must be a valid ISBN-13 (check digit is 6, expected 5)',
    ],
    [{ trigger: 'drill', correlationId: '' }, 'correlationId: must not be empty'],
  ])('rejects %j: %s', (value, reason) => {
    expect(rejection(HealthCheckRequest, value, 'HealthCheckRequest').message).toContain(reason);
  });
});

describe('DailySummaryRequest', () => {
  it('accepts a trigger alone or with a day', () => {
    expect(parseWith(DailySummaryRequest, { trigger: 'schedule' }, 'DailySummaryRequest')).toEqual({
      trigger: 'schedule',
    });
    expect(parseWith(DailySummaryRequest, samples.dailySummaryRequest(), 'DailySummaryRequest').date).toBe(
      '2024-05-01',
    );
  });

  it('rejects a date that is not a calendar day', () => {
    const err = rejection(DailySummaryRequest, { trigger: 'manual', date: '2024-02-30' });
    expect(err.fields).toEqual(['date']);
    expect(err.message).toContain('date: must be an ISO date, YYYY-MM-DD (got "2024-02-30")');
  });
});

describe('Alert', () => {
  it('accepts every kind, with details defaulting to {}', () => {
    for (const kind of AlertKind.options) {
      const value = parseWith(Alert, with_(without(samples.alert(), 'details'), { kind }), 'Alert');
      expect(value.kind).toBe(kind);
      expect(value.details).toEqual({});
    }
  });

  it('accepts a fleet-level alert without an ISBN', () => {
    const value = parseWith(
      Alert,
      with_(without(samples.alert(), 'isbn'), { kind: 'pipeline_failed' }),
      'Alert',
    );
    expect(value.isbn).toBeUndefined();
  });

  it.each([
    [{ severity: 'urgent' }, 'severity', 'must be one of critical|warning|info (got "urgent")'],
    [{ kind: 'cpu_high' }, 'kind', 'must be one of rmse_above_threshold|'],
    [{ status: 'open' }, 'status', 'must be one of firing|resolved (got "open")'],
    [{ isbn: '978-0-7225-3293-5' }, 'isbn', 'must be a valid ISBN-13'],
    [{ modelVersion: 'v22' }, 'modelVersion', 'must be a decimal version id, e.g. "22" (got "v22")'],
    [{ summary: '   ' }, 'summary', 'must not be empty'],
    [{ details: 'rmse high' }, 'details', 'must be an object (got "rmse high")'],
    [{ observedAt: '2024-05-01 10:00' }, 'observedAt', 'must be an ISO 8601 date-time in UTC'],
    [{ observedAt: '2024-05-01T10:00:00+01:00' }, 'observedAt', 'must be an ISO 8601 date-time in UTC'],
    [{ environment: 'prod' }, 'environment', 'must be one of development|staging|production (got "prod")'],
    [{ runId: 'a/b' }, 'runId', 'must be usable as a document id'],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const err = rejection(Alert, with_(samples.alert(), patch), 'Alert');
    expect(err.fields).toEqual([field]);
    expect(err.message).toContain(`Alert is invalid: ${field}: ${reason}`);
  });

  it('requires an ISBN for a model-accuracy alert', () => {
    const err = rejection(Alert, without(samples.alert(), 'isbn'), 'Alert');
    expect(err.message).toBe('Alert is invalid: isbn: is required for kind rmse_spike');
  });
});

describe('ModelDeployed', () => {
  it('accepts a deployment with or without pipeline and previous version', () => {
    expect(parseWith(ModelDeployed, samples.modelDeployed(), 'ModelDeployed')).toEqual(
      samples.modelDeployed(),
    );
    const bare = without(without(samples.modelDeployed(), 'pipelineJobId'), 'previousVersion');
    expect(parseWith(ModelDeployed, bare, 'ModelDeployed')).toEqual(bare);
  });

  it.each([
    [{ version: 23 }, 'version', 'must be a string (got 23)'],
    [{ environment: 'testing' }, 'environment', 'must be one of development|staging|production'],
    [{ deployedBy: '' }, 'deployedBy', 'must not be empty'],
    [{ previousVersion: 'latest' }, 'previousVersion', 'must be a decimal version id'],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const err = rejection(ModelDeployed, with_(samples.modelDeployed(), patch));
    expect(err.fields).toEqual([field]);
    expect(err.message).toContain(`${field}: ${reason}`);
  });
});

describe('RollbackRequest', () => {
  it('accepts each scope and each target', () => {
    const cases = [
      { scope: { isbns: [samples.ISBN, samples.ISBN_2] }, target: { kind: 'version', version: '22' } },
      { scope: { isbns: [samples.ISBN] }, target: { kind: 'last-known-good' } },
      { scope: { all: true }, target: { kind: 'previous' } },
      { scope: { emergency: true }, target: { kind: 'last-known-good' } },
    ];
    for (const patch of cases) {
      const value = parseWith(RollbackRequest, with_(samples.rollbackRequest(), patch), 'RollbackRequest');
      expect(value.scope).toEqual(patch.scope);
      expect(value.target).toEqual(patch.target);
    }
  });

  it('lets a handler switch on target.kind', () => {
    const value = parseWith(RollbackRequest, samples.rollbackRequest(), 'RollbackRequest');
    const described = value.target.kind === 'version' ? `to v${value.target.version}` : value.target.kind;
    expect(described).toBe('to v22');
  });

  it.each([
    [{ scope: { isbns: [] } }, 'scope.isbns', 'must name at least one ISBN (got [])'],
    [{ scope: { all: false } }, 'scope.all', 'must be true (got false)'],
    [
      { scope: {} },
      'scope',
      'must be exactly one of {isbns: [...]}, {all: true} or {emergency: true} (got {})',
    ],
    [
      { scope: { all: true, isbns: [samples.ISBN] } },
      'scope',
      'must be exactly one of {isbns: [...]}, {all: true}',
    ],
    [
      { target: { kind: 'latest' } },
      'target.kind',
      'must be one of version|previous|last-known-good (got "latest")',
    ],
    [{ target: { version: '22' } }, 'target.kind', 'is required (version|previous|last-known-good)'],
    [{ target: { kind: 'version' } }, 'target.version', 'is required'],
    [{ target: 'previous' }, 'target', 'must be an object (got "previous")'],
    [{ requestId: '' }, 'requestId', 'must not be empty'],
    [{ reason: '' }, 'reason', 'must not be empty'],
    [{ dryRun: 'yes' }, 'dryRun', 'must be true or false (got "yes")'],
    [
      { scope: { all: true }, target: { kind: 'version', version: '22' } },
      'target.kind',
      'a named version needs scope {isbns: [...]}; use previous or last-known-good for all models',
    ],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const err = rejection(RollbackRequest, with_(samples.rollbackRequest(), patch));
    expect(err.fields).toEqual([field]);
    expect(err.message).toContain(`${field}: ${reason}`);
  });
});

describe('LifecycleEvent', () => {
  it('accepts rollback, validation and deployment events', () => {
    const events = [
      samples.lifecycleEvent(),
      {
        type: 'validation.failed',
        isbn: samples.ISBN,
        version: '23',
        reportId: 'vr-1',
        detail: 'accuracy',
        at: samples.AT,
        correlationId: 'c',
      },
      { type: 'model.quarantined', isbn: samples.ISBN, version: '23', at: samples.AT, correlationId: 'c' },
      { type: 'deployment.succeeded', at: samples.AT, correlationId: 'c' },
    ];
    for (const event of events) expect(parseWith(LifecycleEvent, event, 'LifecycleEvent')).toEqual(event);
  });

  it.each([
    [{ type: 'rollback.started' }, 'type', 'must be one of rollback.succeeded|rollback.failed|'],
    [{ type: 'validation.passed' }, 'version', 'is required for type validation.passed'],
    [{ at: 1714557600000 }, 'at', 'must be an ISO 8601 date-time in UTC'],
    [{ toVersion: '' }, 'toVersion', 'must be a decimal version id'],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const err = rejection(LifecycleEvent, with_(samples.lifecycleEvent(), patch));
    expect(err.fields).toEqual([field]);
    expect(err.message).toContain(`${field}: ${reason}`);
  });
});

describe('every message schema', () => {
  const valid: Record<keyof typeof MESSAGE_SCHEMAS, () => Record<string, unknown>> = {
    HealthCheckRequest: samples.healthCheckRequest,
    DailySummaryRequest: samples.dailySummaryRequest,
    Alert: samples.alert,
    ModelDeployed: samples.modelDeployed,
    RollbackRequest: samples.rollbackRequest,
    LifecycleEvent: samples.lifecycleEvent,
  };
  const schemas = Object.entries(MESSAGE_SCHEMAS) as Array<[keyof typeof MESSAGE_SCHEMAS, z.ZodType]>;
  // Values of every JSON type; each field must refuse at least one of them.
  const wrongValues: unknown[] = [
    12345,
    'not-a-valid-value-\u{1F600}',
    { unexpected: true },
    [],
    null,
    false,
  ];

  it.each(schemas)('%s parses its sample and parses its own output again unchanged', (name, schema) => {
    const once = parseWith(schema, valid[name](), name);
    expect(parseWith(schema, JSON.parse(JSON.stringify(once)), name)).toEqual(once);
  });

  it.each(schemas)('a malformed %s yields an error naming the field', (name, schema) => {
    const sample = valid[name]();
    for (const field of Object.keys(sample)) {
      const refused = wrongValues.filter(
        (bad) => !safeParseWith(schema, with_(sample, { [field]: bad }), name).ok,
      );
      expect({ field, refusedAny: refused.length > 0 }).toEqual({ field, refusedAny: true });
      for (const bad of refused) {
        const err = rejection(schema, with_(sample, { [field]: bad }), name);
        expect(err.message.startsWith(`${name} is invalid: ${field}`)).toBe(true);
        for (const path of err.fields) expect(path === field || path.startsWith(`${field}.`)).toBe(true);
      }
    }
  });

  it.each(schemas)('a %s missing a required field names it as required', (name, schema) => {
    const sample = valid[name]();
    for (const field of Object.keys(sample)) {
      const result = safeParseWith(schema, without(sample, field), name);
      if (result.ok) continue; // optional field
      expect(result.error.fields).toEqual([field]);
      expect(result.error.message).toMatch(new RegExp(`^${name} is invalid: ${field}: is required`));
    }
  });

  it.each(schemas)('%s that is not an object names the root', (name, schema) => {
    for (const value of ['{"trigger":"schedule"}', 42, null, []]) {
      const err = rejection(schema, value, name);
      expect(err.fields).toEqual(['(root)']);
      expect(err.message).toContain(`${name} is invalid: (root): must be an object`);
    }
  });
});

describe('TOPIC_MESSAGES', () => {
  it('names a contract for every topic in the topology', () => {
    expect(Object.keys(TOPIC_MESSAGES).sort()).toEqual([...TOPICS].sort());
  });

  it('accepts the body every Cloud Scheduler job publishes', () => {
    for (const schedule of SCHEDULES) {
      const contract = TOPIC_MESSAGES[schedule.topic];
      expect(safeParseWith(contract.schema, schedule.body, contract.name)).toEqual({
        ok: true,
        value: schedule.body,
      });
    }
  });
});
