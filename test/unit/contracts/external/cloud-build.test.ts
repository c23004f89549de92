import {
  CloudBuild,
  CloudBuildAttributes,
  CloudBuildStatus,
  isFailedBuild,
} from '../../../../shared/contracts/external/cloud-build';
import { parseWith, safeParseWith } from '../../../../shared/contracts/parse';
import { decodeJsonData, pubsubEventFrom } from '../../../../shared/contracts/pubsub-event';
import { loadFixture } from '../../../helpers/gcp-fixtures';

interface BuildFixture {
  body: unknown;
  decoded_data: Record<string, unknown>;
}
const failure = () => loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.failure.json');
const queued = () => loadFixture<BuildFixture>('6-cloud-build/cloud-builds.push-body.queued.json');

describe('Cloud Build status messages', () => {
  it('decodes a finished build from the push body, attributes agreeing with data', () => {
    const event = pubsubEventFrom(failure().body);
    const attributes = parseWith(CloudBuildAttributes, event.attributes, 'Cloud Build attributes');
    const build = decodeJsonData(event, CloudBuild, 'CloudBuild');
    expect(attributes).toEqual({ buildId: build.id, status: 'FAILURE' });
    expect(build.substitutions?._ISBN).toBe('9780722532935');
    expect(build.finishTime).toBe('2024-05-02T10:03:01.880314Z');
    expect(build.failureInfo).toEqual(failure().decoded_data.failureInfo);
    expect(isFailedBuild(build.status)).toBe(true);
  });

  it('decodes a queued build, which has no start or finish time', () => {
    const build = decodeJsonData(pubsubEventFrom(queued().body), CloudBuild, 'CloudBuild');
    expect(build.status).toBe('QUEUED');
    expect(build.startTime).toBeUndefined();
    expect(isFailedBuild(build.status)).toBe(false);
  });

  it('counts only unsuccessful terminal statuses as failed', () => {
    expect(CloudBuildStatus.options.filter(isFailedBuild)).toEqual([
      'FAILURE',
      'INTERNAL_ERROR',
      'TIMEOUT',
      'CANCELLED',
      'EXPIRED',
    ]);
  });

  it.each([
    [{ status: 'FAILED' }, 'status', 'must be one of STATUS_UNKNOWN|PENDING|QUEUED|WORKING|SUCCESS|FAILURE|'],
    [{ id: '' }, 'id', 'must not be empty'],
    [{ createTime: '02/05/2024' }, 'createTime', 'must be an RFC 3339 date-time'],
    [
      { substitutions: { _ISBN: 9780722532935 } },
      'substitutions._ISBN',
      'must be a string (got 9780722532935)',
    ],
  ])('rejects %j, naming %s', (patch, field, reason) => {
    const result = safeParseWith(CloudBuild, { ...failure().decoded_data, ...patch }, 'CloudBuild');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.fields).toEqual([field]);
      expect(result.error.message).toContain(`CloudBuild is invalid: ${field}: ${reason}`);
    }
  });
});
