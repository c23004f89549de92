import { CloudBuild } from '../../../shared/contracts/external/cloud-build';
import { Alert } from '../../../shared/contracts/messages/alert';
import { LifecycleEvent } from '../../../shared/contracts/messages/lifecycle-event';
import {
  BUILD_TAG,
  buildCorrelationId,
  decideBuildEvent,
  ENVIRONMENT_SUBSTITUTION,
  identifyBuild,
} from '../../../shared/domain/build-events';
import { loadFixture } from '../../helpers/gcp-fixtures';

const ctx = { environment: 'staging' as const, correlationId: 'build-x' };

/** The fixture's model deployment build (FAILURE), re-parsed with overrides. */
function modelBuild(overrides: Record<string, unknown> = {}): CloudBuild {
  const { decoded_data } = loadFixture<{ decoded_data: Record<string, unknown> }>(
    '6-cloud-build/cloud-builds.push-body.failure.json',
  );
  return CloudBuild.parse({ ...decoded_data, ...overrides });
}

/** A release of forecast-guard itself, as cloudbuild.yaml's trigger runs it. */
function releaseBuild(status: string, extra: Record<string, unknown> = {}): CloudBuild {
  return CloudBuild.parse({
    id: '7d2c9a10-0000-4000-8000-000000000001',
    status,
    createTime: '2024-05-02T09:00:00.123456789Z',
    finishTime: '2024-05-02T09:12:30.5Z',
    tags: [BUILD_TAG, 'forecast-guard-staging'],
    substitutions: {
      [ENVIRONMENT_SUBSTITUTION]: 'staging',
      TRIGGER_NAME: 'forecast-guard-staging',
      SHORT_SHA: 'abc1234',
      BRANCH_NAME: 'main',
    },
    logUrl: 'https://console.cloud.google.com/cloud-build/builds/7d2c9a10?project=1',
    ...extra,
  });
}

describe('identifyBuild', () => {
  it('recognises a model deployment by its _ISBN substitution', () => {
    expect(identifyBuild(modelBuild())).toMatchObject({
      kind: 'model-deploy',
      isbn: '9780722532935',
      version: '23',
      target: 'production',
      trigger: 'deploy-model',
      commit: '3f9c2b7',
    });
  });

  it('recognises a release by _FG_ENVIRONMENT, a tagged build, and a forecast-guard- trigger', () => {
    expect(identifyBuild(releaseBuild('SUCCESS'))).toMatchObject({ kind: 'release', target: 'staging' });
    expect(identifyBuild(releaseBuild('SUCCESS', { substitutions: {} }))).toMatchObject({ kind: 'other' });
    expect(
      identifyBuild(
        releaseBuild('SUCCESS', { tags: [], substitutions: { TRIGGER_NAME: 'forecast-guard-x' } }),
      ),
    ).toMatchObject({ kind: 'other', trigger: 'forecast-guard-x' });
  });

  it('ignores builds of anything else in the project', () => {
    expect(identifyBuild(releaseBuild('FAILURE', { tags: ['website'], substitutions: {} }))).toBeUndefined();
  });
});

describe('decideBuildEvent', () => {
  it.each(['FAILURE', 'TIMEOUT', 'INTERNAL_ERROR', 'CANCELLED'])(
    'turns a %s of a forecast-guard release into a critical build_failed alert',
    (status) => {
      const decision = decideBuildEvent(releaseBuild(status), ctx);
      expect(decision.action).toBe('alert');
      if (decision.action !== 'alert') return;
      const alert = Alert.parse(decision.alert);
      expect(alert).toMatchObject({
        kind: 'build_failed',
        severity: 'critical',
        status: 'firing',
        source: 'build-events',
        environment: 'staging',
        correlationId: 'build-x',
        observedAt: '2024-05-02T09:12:30.500Z',
      });
      expect(alert.isbn).toBeUndefined();
      expect(alert.summary).toMatch(/^forecast-guard deploy to staging \(build 7d2c9a10, commit abc1234\) /);
      expect(alert.details).toMatchObject({
        buildId: releaseBuild(status).id,
        status,
        trigger: 'forecast-guard-staging',
      });
    },
  );

  it('names the book, version, failed step and Cloud Build reason of a failed model deployment', () => {
    const decision = decideBuildEvent(modelBuild(), ctx);
    if (decision.action !== 'alert') throw new Error(`expected an alert, got ${decision.action}`);
    const alert = Alert.parse(decision.alert);
    expect(alert).toMatchObject({ isbn: '9780722532935', modelVersion: '23', severity: 'critical' });
    expect(alert.summary).toContain('Model deployment of ISBN 9780722532935 version 23 to production');
    expect(alert.summary).toContain('Build step failure');
    expect(alert.details).toMatchObject({
      failedStep: expect.stringContaining('scripts/deploy_model.sh --environment production'),
      logUrl: expect.stringContaining('cloud-build/builds/b5a3c7e2'),
      finishedAt: '2024-05-02T10:03:01.880314Z',
    });
  });

  it('makes an expired (never started) build a warning, not a page', () => {
    const decision = decideBuildEvent(releaseBuild('EXPIRED'), ctx);
    expect(decision).toMatchObject({ action: 'alert', alert: { severity: 'warning', status: 'firing' } });
  });

  it('ignores a build an approver rejected', () => {
    const build = releaseBuild('CANCELLED', { approval: { state: 'REJECTED' } });
    expect(decideBuildEvent(build, ctx)).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('rejected'),
    });
  });

  it('turns a successful deployment into deployment.succeeded and a resolution of the same fingerprint', () => {
    const decision = decideBuildEvent(modelBuild({ status: 'SUCCESS', failureInfo: undefined }), ctx);
    if (decision.action !== 'deployed') throw new Error(`expected deployed, got ${decision.action}`);
    const event = LifecycleEvent.parse(decision.event);
    expect(event).toMatchObject({
      type: 'deployment.succeeded',
      isbn: '9780722532935',
      version: '23',
      at: '2024-05-02T10:03:01.880Z',
      correlationId: 'build-x',
    });
    expect(event.detail).toContain('commit 3f9c2b7');
    const resolved = Alert.parse(decision.resolved);
    expect(resolved).toMatchObject({
      kind: 'build_failed',
      status: 'resolved',
      severity: 'info',
      isbn: '9780722532935',
    });
  });

  it('ignores in-between statuses and successes of builds that deploy nothing', () => {
    for (const status of ['QUEUED', 'WORKING', 'PENDING', 'STATUS_UNKNOWN']) {
      expect(decideBuildEvent(releaseBuild(status), ctx)).toMatchObject({ action: 'ignore' });
    }
    const tagOnly = releaseBuild('SUCCESS', { substitutions: {} });
    expect(decideBuildEvent(tagOnly, ctx)).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('deploys nothing'),
    });
  });

  it('leaves out an ISBN or version the build spelled wrong, rather than publish an invalid alert', () => {
    const build = modelBuild({
      substitutions: { _ISBN: '9780722532936', _MODEL_VERSION: 'v23', _ENVIRONMENT: 'production' },
    });
    const decision = decideBuildEvent(build, ctx);
    if (decision.action !== 'alert') throw new Error('expected an alert');
    const alert = Alert.parse(decision.alert);
    expect(alert.isbn).toBeUndefined();
    expect(alert.modelVersion).toBeUndefined();
    expect(alert.summary).toContain('ISBN 9780722532936');
  });
});

describe('buildCorrelationId', () => {
  it('is build-<id>, or the fallback when the id would not be a safe correlation id', () => {
    expect(buildCorrelationId(releaseBuild('SUCCESS'), 'corr-1')).toBe(
      'build-7d2c9a10-0000-4000-8000-000000000001',
    );
    expect(buildCorrelationId(releaseBuild('SUCCESS', { id: 'has space' }), 'corr-1')).toBe('corr-1');
  });
});
